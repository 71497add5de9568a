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

/**
 * Environment of a backup peer (`kith backup-peer`). What passes through it comes in pieces of up
 * to 64 KiB (each TCP read, each Noise frame), many alive at once while devices upload whole vaults;
 * below the threshold they come from the main malloc arena, which glibc returns to the system only
 * from its top, so the holes they leave stay resident (22 MB of a quiet backup peer with 10 vaults
 * of 10,000 items, 8 MB with this). From 32 KiB up, blocks are mapped on their own and go back when freed.
 */
export const BACKUP_PEER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '32768' }

/** What runs with a runtime of its own: `kith daemon` or `kith backup-peer`. */
export type RuntimeRole = 'daemon' | 'backup-peer'

/** The environment variables a process of this role runs with. */
export function runtimeEnvOf(role: RuntimeRole): Readonly<Record<string, string>> {
  return role === 'backup-peer' ? BACKUP_PEER_ENV : DAEMON_ENV
}

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
export function missingRuntime(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
  role: RuntimeRole = 'daemon'
): MissingRuntime {
  return {
    flags: DAEMON_NODE_FLAGS.filter(f => !execArgv.includes(f)),
    env: Object.keys(runtimeEnvOf(role)).filter(name => env[name] === undefined)
  }
}

/** Whether this process must start the daemon again to get its runtime (never twice: the marker). */
export function needsReexec(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
  role: RuntimeRole = 'daemon'
): boolean {
  if (env[RUNTIME_MARKER] !== undefined) return false
  const missing = missingRuntime(execArgv, env, role)
  return missing.flags.length > 0 || missing.env.length > 0
}

/** One line for the log: what this daemon runs with. */
export function describeRuntime(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
  role: RuntimeRole = 'daemon'
): string {
  const flags = DAEMON_NODE_FLAGS.filter(f => execArgv.includes(f))
  const vars = Object.keys(runtimeEnvOf(role)).map(name => `${name}=${env[name] ?? '(unset)'}`)
  const missing = missingRuntime(execArgv, env, role)
  const lacking = missing.flags.length + missing.env.length === 0 ? '' : ` (without ${[...missing.flags, ...missing.env].join(' ')})`
  return `runtime: node ${process.version} ${flags.join(' ')} ${vars.join(' ')}${lacking}`
}
