/**
 * The API's address as a person gives it (`--http HOST:PORT`, `http` in config.json): loopback
 * only. One check for the CLI, which validates a setting before saving it, and the HTTP server,
 * which binds it.
 */
/** The dashboard's usual port when --http is not given (any free port if it is taken). */
export const DEFAULT_HTTP_PORT = 7370

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

export class HttpAddressError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HttpAddressError'
  }
}

export function parseHttpAddress(value: string | undefined): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: DEFAULT_HTTP_PORT }
  const i = value.lastIndexOf(':')
  const host = i < 0 ? '127.0.0.1' : value.slice(0, i)
  const port = Number(i < 0 ? value : value.slice(i + 1))
  if (!LOOPBACK.has(host)) throw new HttpAddressError(`--http must bind a loopback address (127.0.0.1), not ${host}`)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HttpAddressError(`invalid port in --http ${value}`)
  return { host: host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''), port }
}
