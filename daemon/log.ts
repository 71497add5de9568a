/** The daemon's logger: one line per event to stderr. Callers never pass secrets; a test greps for them. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Log = (level: LogLevel, message: string) => void

export function createLog(
  stream: NodeJS.WritableStream = process.stderr,
  minLevel: LogLevel = (process.env.KITH_LOG_LEVEL as LogLevel | undefined) ?? 'info'
): Log {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error']
  const min = order.indexOf(minLevel)
  return (level, message) => {
    if (order.indexOf(level) < min) return
    stream.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`)
  }
}
