/**
 * The dashboard's client (web-ui/src/api.ts) over a stubbed fetch: the session token lives in memory
 * and rides in a header, a 401 forgets it and tells listeners, errors carry the daemon's code, and
 * the event stream is parsed from a fetch body.
 */
import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest'
import { loadPageModule } from './loadPageModule.js'

interface ApiError extends Error {
  status: number
  code: string
  retryAfter?: number
}
interface Api {
  ApiError: new (...args: never[]) => ApiError
  onSessionLost: (listener: () => void) => () => void
  hasSession: () => boolean
  forgetSession: () => void
  api: {
    unlock: (password: string) => Promise<unknown>
    lock: () => Promise<void>
    items: (filter?: { vault?: string; trashed?: boolean }) => Promise<unknown[]>
    item: (id: string) => Promise<unknown>
    events: (onEvent: (event: { type: string; data: unknown }) => void, signal: AbortSignal) => Promise<void>
  }
}
// the page's origin: the typed client (hc) builds absolute URLs from it
const ORIGIN = 'http://localhost:7370'
vi.stubGlobal('location', { origin: ORIGIN })
const client = await loadPageModule<Api>('api')

interface Call {
  url: string
  method: string
  headers: Record<string, string>
  body?: string
}
let calls: Call[]
let answer: (call: Call) => Response
/** a request to this URL is answered only once `until` resolves */
let held: { url: string; until: Promise<void> } | undefined

beforeEach(() => {
  calls = []
  held = undefined
  client.forgetSession()
  vi.stubGlobal('fetch', async (input: string | URL | Request, init: RequestInit = {}) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    // typed calls go to ORIGIN + path; the event stream fetches its path directly
    const url = href.startsWith(ORIGIN) ? href.slice(ORIGIN.length) : href
    expect(url.startsWith('/api/')).toBe(true)
    // header names as sent, in their canonical spelling
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => {
      headers[name.replace(/(^|-)[a-z]/g, m => m.toUpperCase())] = value
    })
    const call = { url, method: init.method ?? 'GET', headers, body: init.body as string | undefined }
    calls.push(call)
    if (held?.url === url) await held.until
    return answer(call)
  })
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.stubGlobal('location', { origin: ORIGIN })
})

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

describe('dashboard API client', () => {
  it('keeps the token an unlock answers and sends it as X-Kith-Session, never in the URL', async () => {
    answer = c => (c.url === '/api/unlock' ? json(200, { ok: true, sessionToken: 'tok-1' }) : json(200, []))
    expect(client.hasSession()).toBe(false)
    await client.api.unlock('pw')
    expect(client.hasSession()).toBe(true)
    await client.api.items({ vault: 'Family & Friends', trashed: true })
    const last = calls.at(-1)
    expect(last?.url).toBe('/api/items?vault=Family+%26+Friends&trashed=true')
    expect(last?.headers['X-Kith-Session']).toBe('tok-1')
    expect(calls.every(c => !c.url.includes('tok-1') && !c.url.includes('pw'))).toBe(true)
    await client.api.items()
    expect(calls.at(-1)?.url).toBe('/api/items')
  })

  it('a 401 unauthorized forgets the session and tells every listener once; an unsubscribed one hears nothing', async () => {
    answer = c =>
      c.url === '/api/unlock'
        ? json(200, { ok: true, sessionToken: 'tok-2' })
        : json(401, { error: { code: 'unauthorized', message: 'the session ended' } })
    await client.api.unlock('pw')
    const heard: string[] = []
    client.onSessionLost(() => heard.push('a'))
    const off = client.onSessionLost(() => heard.push('b'))
    off()
    const err = await client.api.item('x').catch((e: unknown) => e as ApiError)
    expect(err).toBeInstanceOf(client.ApiError)
    expect(err).toMatchObject({ name: 'ApiError', status: 401, code: 'unauthorized', message: 'the session ended' })
    expect(heard).toEqual(['a'])
    expect(client.hasSession()).toBe(false)
    await client.api.item('x').catch(() => {})
    expect(heard).toEqual(['a'])
  })

  it("errors carry the daemon's code and Retry-After; a body that is not JSON still gives an error", async () => {
    answer = () => json(429, { error: { code: 'too_many_attempts', message: 'wait' } }, { 'Retry-After': '12' })
    await expect(client.api.unlock('wrong')).rejects.toMatchObject({ status: 429, code: 'too_many_attempts', retryAfter: 12 })
    answer = () => new Response('<html>proxy error</html>', { status: 502 })
    await expect(client.api.items()).rejects.toMatchObject({ status: 502, code: 'http_error', message: 'the daemon answered 502' })
  })

  it('lock forgets the session, unless a newer unlock replaced it meanwhile', async () => {
    answer = c => (c.url === '/api/unlock' ? json(200, { ok: true, sessionToken: 'tok-3' }) : json(200, { ok: true }))
    await client.api.unlock('pw')
    await client.api.lock()
    expect(client.hasSession()).toBe(false)

    await client.api.unlock('pw')
    let release!: () => void
    held = {
      url: '/api/lock',
      until: new Promise<void>(resolve => {
        release = resolve
      })
    }
    answer = c => (c.url === '/api/unlock' ? json(200, { ok: true, sessionToken: 'tok-4' }) : json(200, { ok: true }))
    const locking = client.api.lock()
    await client.api.unlock('pw')
    release()
    await locking
    expect(client.hasSession()).toBe(true)
    await client.api.items()
    expect(calls.at(-1)?.headers['X-Kith-Session']).toBe('tok-4')
  })

  it('parses the event stream from a fetch body, events split across chunks included', async () => {
    const chunks = [
      'event: hello\ndata: {}\n\n',
      'event: item-changed\ndata: {"id":"a",',
      '"vault":"Personal"}\n\nevent: locked\ndata: null\n',
      '\n'
    ]
    answer = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (const c of chunks) controller.enqueue(new TextEncoder().encode(c))
            controller.close()
          }
        }),
        { status: 200, headers: { 'content-type': 'text/event-stream' } }
      )
    const events: Array<{ type: string; data: unknown }> = []
    await client.api.events(e => events.push(e), new AbortController().signal)
    expect(events).toEqual([
      { type: 'hello', data: {} },
      { type: 'item-changed', data: { id: 'a', vault: 'Personal' } },
      { type: 'locked', data: null }
    ])
    expect(calls[0]?.headers.Accept).toBe('text/event-stream')
  })
})
