/**
 * A re-executed daemon (reexecDaemon) lives as long as the process the user started: when that
 * process is gone (killed with SIGKILL, its terminal closed), the daemon shuts down cleanly rather
 * than run on unseen. Polls the parent pid; the marker holds the launcher's pid.
 */
import { RUNTIME_MARKER } from './daemonRuntime.js'

/** Calls `onGone` once the launcher has ended; returns a function that stops watching. No launcher: never. */
export function watchLauncher(onGone: () => void, intervalMs = 1000, env: NodeJS.ProcessEnv = process.env): () => void {
  const launcher = Number(env[RUNTIME_MARKER])
  if (!Number.isInteger(launcher) || launcher <= 1 || process.ppid !== launcher) return () => {}
  const timer = setInterval(() => {
    if (process.ppid === launcher) return
    clearInterval(timer)
    onGone()
  }, intervalMs)
  timer.unref()
  return () => {
    clearInterval(timer)
  }
}
