/**
 * SIGINT and SIGTERM for a long-running command, heard from before it starts: a signal that comes
 * while the daemon or backup peer is still starting (its daemon.json already written, so `kith
 * stop` may send one) is kept and acted on once it has started, instead of Node's default of
 * ending the process with nothing stopped and daemon.json left behind.
 */
export interface StopSignals {
  /** calls `stop` with the reason now if a signal already came, else when one comes (once) */
  onStop(stop: (reason: string) => void): void
}

export function listenForStopSignals(): StopSignals {
  let heard: string | undefined
  let handler: ((reason: string) => void) | undefined
  const on = (reason: string): void => {
    if (handler !== undefined) handler(reason)
    else heard ??= reason
  }
  process.on('SIGINT', () => on('received SIGINT'))
  process.on('SIGTERM', () => on('received SIGTERM'))
  return {
    onStop(stop) {
      handler = stop
      if (heard !== undefined) stop(heard)
    }
  }
}
