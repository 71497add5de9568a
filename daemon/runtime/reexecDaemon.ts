/**
 * Starts this same `kith daemon` command again, once, in a child process that has the daemon's
 * runtime (DAEMON_NODE_FLAGS, and DAEMON_ENV or a backup peer's BACKUP_PEER_ENV): for a daemon started from a terminal, `npm start` or a
 * service unit. The child inherits stdio and writes daemon.json with its own pid, so `kith stop`
 * signals the real daemon. This process only waits: it passes SIGINT, SIGTERM and SIGHUP on and
 * ends as the child ended (the same exit code, or the same signal). The child stops when this
 * process is gone (runtime/watchLauncher.ts).
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { RUNTIME_MARKER, missingRuntime, runtimeEnvOf, type RuntimeRole } from './daemonRuntime.js'

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

export class ReexecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReexecError'
  }
}

/** Runs the child; resolves with the exit code to end with (a child killed by a signal is re-raised here). */
export async function reexecDaemon(role: RuntimeRole = 'daemon'): Promise<number> {
  const missing = missingRuntime(process.execArgv, process.env, role)
  const args = [...process.execArgv, ...missing.flags, ...process.argv.slice(1)]
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...runtimeEnvOf(role), ...process.env, [RUNTIME_MARKER]: String(process.pid) }
  })
  // A terminal's Ctrl-C reaches both processes; the daemon ignores a repeated signal while stopping.
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  for (const signal of FORWARDED) process.on(signal, forward)
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', err => {
      reject(new ReexecError(`cannot start the daemon with its runtime flags: ${err.message}`))
    })
    child.once('exit', (code, signal) => {
      resolve({ code, signal })
    })
  }).finally(() => {
    for (const signal of FORWARDED) process.off(signal, forward)
  })
  if (ended.signal !== null) {
    process.kill(process.pid, ended.signal)
    // a signal this process handles elsewhere (or ignores) does not end it: say so by the usual code
    return 128 + (constants.signals[ended.signal] ?? 0)
  }
  return ended.code ?? 1
}
