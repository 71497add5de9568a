/**
 * Raw HTTP for the dashboard's security tests: node:http lets a test set Host, Origin, Cookie and
 * Sec-Fetch-Site exactly as a browser (or an attacker) would; fetch would not allow Host.
 */
import { request } from 'node:http'
import type { DaemonInfo } from '../../daemon/cli/DaemonClient.js'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: the answer of whichever route a test calls, read field by field
  json: any
}

export interface RawRequest {
  method?: string
  path: string
  /** replaces the default Host (localhost:PORT); null sends no Host header at all */
  host?: string | null
  headers?: Record<string, string>
  body?: string
  /** stop reading after the first chunk (for event streams) */
  firstChunkOnly?: boolean
}

export function portOf(info: Pick<DaemonInfo, 'url'>): number {
  return Number(new URL(info.url).port)
}

export function raw(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(req.headers ?? {}) }
    if (req.host !== null) headers.Host = req.host ?? `localhost:${port}`
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body))
    const r = request(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, setHost: false, timeout: 10_000 },
      res => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
          if (req.firstChunkOnly === true) {
            res.destroy()
            done()
          }
        })
        const done = (): void => {
          let json: unknown = null
          try {
            json = JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        }
        res.on('end', done)
      }
    )
    r.on('timeout', () => r.destroy(new Error('timeout')))
    r.on('error', reject)
    if (req.body !== undefined) r.write(req.body)
    r.end()
  })
}

/** Headers a same-origin fetch from the dashboard page sends. */
export function browserHeaders(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Origin: `http://localhost:${port}`,
    'Sec-Fetch-Site': 'same-origin',
    'Sec-Fetch-Mode': 'cors',
    'Content-Type': 'application/json',
    ...extra
  }
}

export interface BrowserSession {
  cookie: string
  token: string
  setCookie: string
}

/** Unlocks (or initialises) the way the dashboard page does, and returns the session it got. */
export async function browserUnlock(port: number, password: string, path = '/api/unlock'): Promise<BrowserSession> {
  const res = await raw(port, { method: 'POST', path, headers: browserHeaders(port), body: JSON.stringify({ password }) })
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${res.text}`)
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? ''
  return { cookie: setCookie.split(';')[0] ?? '', token: res.json.sessionToken as string, setCookie }
}

/** A session-authenticated request as the page makes it (cookie + header token + fetch metadata). */
export function withSession(
  port: number,
  s: Pick<BrowserSession, 'cookie' | 'token'>,
  req: RawRequest,
  parts: { cookie?: boolean; token?: boolean } = {}
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin', ...(req.headers ?? {}) }
  if (req.method !== undefined && req.method !== 'GET' && headers.Origin === undefined) headers.Origin = `http://localhost:${port}`
  if (req.body !== undefined) headers['Content-Type'] ??= 'application/json'
  if (parts.cookie !== false) headers.Cookie = s.cookie
  if (parts.token !== false) headers['X-Kith-Session'] = s.token
  return raw(port, { ...req, headers })
}
