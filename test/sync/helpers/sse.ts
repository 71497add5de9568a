/** A small client for a daemon's /api/events stream (server-sent events), for tests and benches. */
import { request, type ClientRequest } from 'node:http'

export interface SseEvent {
  event: string
  // biome-ignore lint/suspicious/noExplicitAny: each event type has its own payload; tests read the fields they expect
  data: any
  at: number
}

export class SseClient {
  readonly events: SseEvent[] = []
  private waiters: Array<() => void> = []

  private constructor(private readonly req: ClientRequest) {}

  static async open(info: { url: string; token: string }): Promise<SseClient> {
    const url = new URL(info.url)
    return await new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: url.port,
        path: '/api/events',
        headers: { Host: url.host, Authorization: `Bearer ${info.token}`, Accept: 'text/event-stream' }
      })
      const client = new SseClient(req)
      req.on('response', res => {
        if (res.statusCode !== 200) {
          reject(new Error(`events: HTTP ${String(res.statusCode)}`))
          return
        }
        let buf = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buf += chunk
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i)
            buf = buf.slice(i + 2)
            let event = 'message'
            let data = ''
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim()
              else if (line.startsWith('data:')) data += line.slice(5).trim()
            }
            let parsed: unknown = data
            try {
              parsed = JSON.parse(data)
            } catch {}
            client.events.push({ event, data: parsed, at: performance.now() })
            if (event === 'hello') resolve(client)
            for (const w of client.waiters.splice(0)) w()
          }
        })
      })
      req.on('error', reject)
      req.end()
    })
  }

  /** Resolves with the first event (from `from` on) that matches. */
  async waitFor(match: (e: SseEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.slice(from).find(match)
      if (found !== undefined) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; saw ${this.events.map(e => e.event).join(', ')}`)
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  close(): void {
    this.req.destroy()
  }
}
