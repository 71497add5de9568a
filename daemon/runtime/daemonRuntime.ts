/**
 * The runtime every daemon process runs with, however it was started: the V8 flags and the
 * allocator setting behind the memory targets (docs/decisions/0012), and what a process that
 * lacks them must add (`reexecDaemon` starts the daemon again with them).
 */

/**
 * Node flags of every daemon process:
 * - a 1 MiB young generation keeps the resident set near what the vault needs;
 * - `--expose-gc` gives the idle collector `globalThis.gc` (no flag is changed at run time);
 * - every full collection compacts: the emptied pages of a burst of work go back to the system.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--expose-gc',
  '--compact-on-every-full-gc',
  '--memory-reducer-single-gc'
]

/**
 * Environment of every daemon process. glibc's malloc otherwise raises its mmap threshold after the
 * first large free (an unlock reads and decrypts multi-MB snapshots) and keeps up to twice that per
 * arena. A fixed 128 KiB threshold returns large blocks when freed; other C libraries ignore it.
 * A value the user already set wins.
 */
export const DAEMON_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' }

/** Set (to the launcher's pid) in the environment of a re-executed daemon: it never re-executes again. */
export const RUNTIME_MARKER = 'KITH_DAEMON_RUNTIME'

/** The environment to start a daemon with: ours, then whatever the caller's already says. */
export function daemonEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...DAEMON_ENV, ...base }
}

export interface MissingRuntime {
  flags: string[]
  env: string[]
}

/** The daemon flags and variables this process was started without. */
export function missingRuntime(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): MissingRuntime {
  return {
    flags: DAEMON_NODE_FLAGS.filter(f => !execArgv.includes(f)),
    env: Object.keys(DAEMON_ENV).filter(name => env[name] === undefined)
  }
}

/** Whether this process must start the daemon again to get its runtime (never twice: the marker). */
export function needsReexec(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[RUNTIME_MARKER] !== undefined) return false
  const missing = missingRuntime(execArgv, env)
  return missing.flags.length > 0 || missing.env.length > 0
}

/** One line for the log: what this daemon runs with. */
export function describeRuntime(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string {
  const flags = DAEMON_NODE_FLAGS.filter(f => execArgv.includes(f))
  const vars = Object.keys(DAEMON_ENV).map(name => `${name}=${env[name] ?? '(unset)'}`)
  const missing = missingRuntime(execArgv, env)
  const lacking = missing.flags.length + missing.env.length === 0 ? '' : ` (without ${[...missing.flags, ...missing.env].join(' ')})`
  return `runtime: node ${process.version} ${flags.join(' ')} ${vars.join(' ')}${lacking}`
}
