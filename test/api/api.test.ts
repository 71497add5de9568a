import { describe, it, expect } from 'vitest'
import { inProcessApp, PORT, TOKEN } from '../helpers/inProcessApp.js'
import { PASSWORD } from '../helpers/memoryDevice.js'

describe('HTTP API', () => {
  it('creates, reads, edits, lists, searches and trashes items', async () => {
    const { request } = await inProcessApp()
    const created = await request('POST', '/api/items', {
      body: { title: 'GitHub', username: 'me', password: 'pw', urls: ['https://github.com'], totp: 'JBSWY3DPEHPK3PXP' }
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const item = (await (await request('GET', `/api/items/${id}`)).json()) as Record<string, unknown>
    expect(item).toMatchObject({
      id,
      vault: 'Personal',
      title: 'GitHub',
      username: 'me',
      password: 'pw',
      urls: ['https://github.com'],
      trashed: false
    })
    expect(item.totp).toMatch(/^otpauth:\/\/totp\//)
    const totp = (await (await request('GET', `/api/items/${id}/totp`)).json()) as { code: string }
    expect(totp.code).toMatch(/^\d{6}$/)
    expect((await request('PATCH', `/api/items/${id}`, { body: { username: 'you' } })).status).toBe(200)
    await request('POST', '/api/items', { body: { title: 'Bank' } })
    const found = (await (await request('GET', '/api/items?q=git')).json()) as Array<{ username: string }>
    expect(found).toHaveLength(1)
    expect(found[0]?.username).toBe('you')
    expect((await request('DELETE', `/api/items/${id}`)).status).toBe(200)
    expect(await (await request('GET', '/api/items')).json()).toHaveLength(1)
    expect(await (await request('GET', '/api/items?trashed=true')).json()).toHaveLength(1)
  })

  it('a whole list kept between requests changes as soon as an item does', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'before' } })).json()) as { id: string }
    expect(((await (await request('GET', '/api/items')).json()) as Array<{ title: string }>).map(i => i.title)).toEqual(['before'])
    expect(((await (await request('GET', '/api/items')).json()) as Array<{ title: string }>).map(i => i.title)).toEqual(['before'])
    await request('PATCH', `/api/items/${id}`, { body: { title: 'after' } })
    expect(((await (await request('GET', '/api/items')).json()) as Array<{ title: string }>).map(i => i.title)).toEqual(['after'])
    await request('POST', '/api/vaults', { body: { name: 'Work' } })
    await request('POST', '/api/items', { body: { title: 'work item', vault: 'Work' } })
    expect(await (await request('GET', '/api/items')).json()).toHaveLength(2)
    await request('DELETE', `/api/items/${id}`)
    expect(((await (await request('GET', '/api/items')).json()) as Array<{ title: string }>).map(i => i.title)).toEqual(['work item'])
    await request('POST', '/api/lock')
    expect((await request('GET', '/api/items')).status).toBe(423)
  })

  it('answers a large list in pieces with an exact Content-Length, non-ASCII text included', async () => {
    const { request } = await inProcessApp()
    const notes = 'Grüße, 東京, ☃ — '.repeat(20)
    for (let i = 0; i < 300; i++) await request('POST', '/api/items', { body: { title: `Konto ${i} ✓`, notes } })
    const res = await request('GET', '/api/items')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(bytes.length).toBeGreaterThan(64 * 1024)
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length)
    expect(res.headers.get('cache-control')).toBe('no-store') // secrets: the security headers apply to a streamed answer too
    const items = JSON.parse(new TextDecoder().decode(bytes)) as Array<{ title: string; notes: string }>
    expect(items).toHaveLength(300)
    expect(new Set(items.map(i => i.title)).size).toBe(300)
    expect(items.every(i => i.notes === notes)).toBe(true)
    const found = (await (await request('GET', '/api/items?q=KONTO 29')).json()) as Array<{ title: string }>
    expect(found.map(i => i.title).sort()).toEqual(['Konto 29 ✓', ...Array.from({ length: 10 }, (_, k) => `Konto 29${k} ✓`)].sort())
  })

  it('answers 400 for malformed JSON and wrong types, with a JSON error', async () => {
    const { request } = await inProcessApp()
    const bad = await request('POST', '/api/items', { raw: '{"title": ', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } })
    const wrongType = await request('POST', '/api/items', { body: { title: 42 } })
    expect(wrongType.status).toBe(400)
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toMatch(/title/)
    expect((await request('POST', '/api/items', { body: [1, 2] })).status).toBe(400)
    expect((await request('POST', '/api/items', { body: { username: 'no title' } })).status).toBe(400)
  })

  it('DELETE says what it did: trashed, or purged for good', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'old' } })).json()) as { id: string }
    expect(await (await request('DELETE', `/api/items/${id}`)).json()).toEqual({ id, trashed: true, purged: false })
    expect(await (await request('DELETE', `/api/items/${id}?purge=true`)).json()).toEqual({ id, trashed: false, purged: true })
    expect((await request('GET', `/api/items/${id}`)).status).toBe(404)
  })

  it('reads a body sent without Content-Type as JSON, and names the field a schema refuses', async () => {
    const { app, request, reauthenticate } = await inProcessApp()
    expect((await reauthenticate()).status).toBe(200)
    // bytes: a string body would make Request add text/plain
    const created = await app.request(`http://localhost:${PORT}/api/items`, {
      method: 'POST',
      headers: { host: `localhost:${PORT}`, authorization: `Bearer ${TOKEN}` },
      body: new TextEncoder().encode(JSON.stringify({ title: 'no type', url: 'https://a.example' }))
    })
    expect(created.status).toBe(201)
    expect(((await created.json()) as { item: { urls: string[] } }).item.urls).toEqual(['https://a.example'])
    const missing = await request('POST', '/api/vaults', { body: {} })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({ error: { code: 'invalid_request', message: 'name is required' } })
    const destroy = await request('POST', '/api/destroy', { body: { confirm: 'yes' } })
    expect(destroy.status).toBe(400)
    expect(((await destroy.json()) as { error: { code: string } }).error.code).toBe('confirmation_required')
  })

  it('answers 404 for unknown item ids and routes', async () => {
    const { request } = await inProcessApp()
    const res = await request('GET', '/api/items/doesnotexist')
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    expect((await request('PATCH', '/api/items/nope', { body: { title: 'x' } })).status).toBe(404)
  })

  it('answers 413 for a 3 MB body and keeps serving', async () => {
    const { request } = await inProcessApp()
    const res = await request('POST', '/api/items', { body: { title: 'big', notes: 'x'.repeat(3 * 1024 * 1024) } })
    expect(res.status).toBe(413)
    expect((await request('GET', '/api/items')).status).toBe(200)
  })

  it('answers 401 without a token or with a wrong one (never a query token)', async () => {
    const { request } = await inProcessApp()
    expect((await request('GET', '/api/items', { headers: { authorization: '' } })).status).toBe(401)
    expect((await request('GET', '/api/items', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await request('GET', '/api/items?token=test-token-0123456789abcdef', { headers: { authorization: '' } })).status).toBe(401)
  })

  it('answers 403 for a foreign Host header, before authentication', async () => {
    const { request } = await inProcessApp()
    for (const host of ['evil.example', `evil.example:${PORT}`, `localhost:${PORT + 1}`, 'localhost']) {
      const res = await request('GET', '/api/items', { headers: { host } })
      expect(res.status, host).toBe(403)
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    }
    expect((await request('GET', '/api/status', { headers: { host: `LOCALHOST:${PORT}` } })).status).toBe(200)
    expect((await request('GET', '/api/status', { headers: { host: `127.0.0.1:${PORT}` } })).status).toBe(200)
  })

  it('refuses cross-origin state changes, non-JSON bodies and CORS preflights', async () => {
    const { request } = await inProcessApp()
    expect((await request('POST', '/api/items', { body: { title: 'x' }, headers: { origin: 'http://evil.example' } })).status).toBe(403)
    expect(
      (await request('POST', '/api/items', { body: { title: 'x' }, headers: { origin: `http://localhost:${PORT + 1}` } })).status
    ).toBe(403)
    expect((await request('POST', '/api/items', { body: { title: 'x' }, headers: { origin: 'null' } })).status).toBe(403)
    expect((await request('GET', '/api/items', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect(
      (await request('POST', '/api/items', { raw: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status
    ).toBe(415)
    const preflight = await request('OPTIONS', '/api/items', {
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' }
    })
    expect(preflight.status).toBeGreaterThanOrEqual(400)
    for (const [k] of preflight.headers) expect(k.startsWith('access-control-')).toBe(false)
  })

  it('sends security headers on every answer', async () => {
    const { request } = await inProcessApp()
    const res = await request('GET', '/api/status')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('unlock: 401 for a wrong password, then 429 with Retry-After once throttled', async () => {
    const { request } = await inProcessApp()
    expect((await request('POST', '/api/lock')).status).toBe(200)
    expect((await request('GET', '/api/items')).status).toBe(423)
    const codes: number[] = []
    for (let i = 0; i < 4; i++) codes.push((await request('POST', '/api/unlock', { body: { password: 'not the password' } })).status)
    expect(codes).toEqual([401, 401, 401, 429])
    const throttled = await request('POST', '/api/unlock', { body: { password: PASSWORD } })
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('manages vaults: create, list, add into one, refuse a duplicate name', async () => {
    const { request } = await inProcessApp()
    expect((await request('POST', '/api/vaults', { body: { name: 'Work' } })).status).toBe(201)
    expect((await request('POST', '/api/vaults', { body: { name: 'Work' } })).status).toBe(409)
    const vaults = (await (await request('GET', '/api/vaults')).json()) as Array<{ name: string }>
    expect(vaults.map(v => v.name)).toEqual(['Personal', 'Work'])
    await request('POST', '/api/items', { body: { title: 'VPN', vault: 'Work' } })
    expect(await (await request('GET', '/api/items?vault=Work')).json()).toHaveLength(1)
    expect(await (await request('GET', '/api/items?vault=Personal')).json()).toHaveLength(0)
    expect((await request('GET', '/api/items?vault=Nope')).status).toBe(404)
  })

  it('streams item-changed and lock events over SSE', async () => {
    const { request } = await inProcessApp()
    const res = await request('GET', '/api/events')
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        text += new TextDecoder().decode(value)
      }
    }
    await readUntil('event: hello')
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'live' } })).json()) as { id: string }
    await readUntil('event: item-changed')
    expect(text).toContain(id)
    await request('POST', '/api/lock')
    await readUntil('event: locked')
    await reader.cancel()
  })

  it('a list says how many item changes it holds, and the event stream hello how many came before it subscribed', async () => {
    const { request } = await inProcessApp()
    const changesOf = async (): Promise<number> => Number((await request('GET', '/api/items')).headers.get('x-kith-changes'))
    const before = await changesOf()
    expect(Number.isInteger(before)).toBe(true)
    await request('POST', '/api/items', { body: { title: 'one' } })
    const afterOne = await changesOf()
    expect(afterOne).toBeGreaterThan(before)
    const res = await request('GET', '/api/events')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('event: hello')) text += new TextDecoder().decode((await reader.read()).value)
    while (!text.includes('}')) text += new TextDecoder().decode((await reader.read()).value)
    const hello = JSON.parse(/data: (\{.*\})/.exec(text)?.[1] ?? '{}') as { changes?: number }
    // a list taken before this subscription holds every change the hello counts: no second fetch needed
    expect(hello.changes).toBe(afterOne)
    await request('POST', '/api/items', { body: { title: 'two' } })
    expect(await changesOf()).toBeGreaterThan(hello.changes as number)
    await reader.cancel()
  })
})
