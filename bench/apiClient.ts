/** The benches' API client: keep-alive node:http requests to a test daemon, timed to the last byte. */
import { Agent, request } from 'node:http'
import type { ApiResponse, DaemonInfo } from '../daemon/cli/DaemonClient.js'

export const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/** One request; `ms` runs from sending to the last byte received (before parsing the JSON). */
export function call(
  d: { info?: DaemonInfo },
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; body: ApiResponse['body']; ms: number }> {
  const info = d.info
  if (info === undefined) throw new Error('not started')
  const url = new URL(info.url)
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port: url.port,
        method,
        path,
        headers: {
          Host: url.host,
          Authorization: `Bearer ${info.token}`,
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {})
        }
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', c => chunks.push(c as Buffer))
        res.on('end', () => {
          const ms = performance.now() - t0
          const text = Buffer.concat(chunks).toString()
          let parsed: unknown = text
          try {
            parsed = text === '' ? null : JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, ms })
        })
      }
    )
    req.on('error', reject)
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}
