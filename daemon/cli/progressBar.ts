/**
 * Shows the daemon's import/export progress events as a bar on a terminal (stderr), by following
 * /api/events while a long request runs. Prints nothing when stderr is not a TTY.
 */
import { request, type ClientRequest } from 'node:http'
import type { DaemonInfo } from './DaemonClient.js'

export function followProgress(info: Pick<DaemonInfo, 'url' | 'token'>, event: string, label: string): () => void {
  if (process.stderr.isTTY !== true) return () => {}
  const url = new URL(info.url)
  let buffer = ''
  let shown = false
  const req: ClientRequest = request(
    { host: '127.0.0.1', port: url.port, path: '/api/events', headers: { Host: url.host, Authorization: `Bearer ${info.token}` } },
    res => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i)
          buffer = buffer.slice(i + 2)
          if (!block.includes(`event: ${event}`)) continue
          const data = /data: (.*)/.exec(block)?.[1]
          if (data === undefined) continue
          const { done, total } = JSON.parse(data) as { done: number; total: number }
          const width = 30
          const filled = total > 0 ? Math.round((width * done) / total) : 0
          process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
          shown = true
        }
      })
    }
  )
  req.on('error', () => {})
  req.end()
  return () => {
    req.destroy()
    if (shown) process.stderr.write('\n')
  }
}
