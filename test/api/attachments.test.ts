/** HTTP API: files on items — streamed upload and download, the limit, names in a header, removal. */
import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { inProcessApp, PORT, TOKEN } from '../helpers/inProcessApp.js'
import type { Item } from '../../daemon/api/ports.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const auth = { host: `localhost:${PORT}`, authorization: `Bearer ${TOKEN}` }

async function setup(): Promise<{ app: Awaited<ReturnType<typeof inProcessApp>>; id: string }> {
  const app = await inProcessApp()
  const res = await app.request('POST', '/api/items', { body: { title: 'Passport' } })
  return { app, id: ((await res.json()) as { id: string }).id }
}

function upload(
  app: Awaited<ReturnType<typeof inProcessApp>>,
  id: string,
  name: string | undefined,
  body: Uint8Array | ReadableStream<Uint8Array>,
  extra: Record<string, string> = {}
) {
  const headers: Record<string, string> = { ...auth, 'content-type': 'application/octet-stream', ...extra }
  if (name !== undefined) headers['x-kith-name'] = encodeURIComponent(name)
  return app.app.request(`http://localhost:${PORT}/api/items/${id}/attachments`, {
    method: 'POST',
    headers,
    body,
    duplex: 'half'
  } as RequestInit)
}

describe('HTTP API: attachments', () => {
  it('uploads a file, lists it on the item, downloads the same bytes, and removes it', async () => {
    const { app, id } = await setup()
    const data = new Uint8Array(randomBytes(700_000))
    const res = await upload(app, id, 'scan – ü.pdf', data)
    expect(res.status).toBe(201)
    const info = (await res.json()) as { id: string; name: string; size: number; sha256: string }
    expect(info).toEqual({ id: expect.any(String), name: 'scan – ü.pdf', size: 700_000, sha256: sha(data) })
    const item = (await (await app.request('GET', `/api/items/${id}`)).json()) as Item
    expect(item.attachments).toEqual([info])
    const listed = (await (await app.request('GET', '/api/items')).json()) as Item[]
    expect(listed[0]?.attachments).toEqual([info])
    const got = await app.request('GET', `/api/items/${id}/attachments/${info.id}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('application/octet-stream')
    expect(got.headers.get('content-length')).toBe('700000')
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="scan _ _.pdf"; filename*=UTF-8''${encodeURIComponent('scan – ü.pdf')}`
    )
    expect(sha(new Uint8Array(await got.arrayBuffer()))).toBe(sha(data))
    const removed = await app.request('DELETE', `/api/items/${id}/attachments/${info.id}`)
    expect(removed.status).toBe(204)
    expect(((await (await app.request('GET', `/api/items/${id}`)).json()) as Item).attachments).toEqual([])
    const gone = await app.request('GET', `/api/items/${id}/attachments/${info.id}`)
    expect(gone.status).toBe(404)
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('attachment_not_found')
  })

  it('refuses a file over the limit, whether the length is declared or streamed, and keeps nothing', async () => {
    const { app, id } = await setup()
    const declared = await upload(app, id, 'big.iso', new Uint8Array(8), { 'content-length': String(25 * 1024 * 1024 + 1) })
    expect(declared.status).toBe(413)
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('attachment_too_large')
    const chunk = new Uint8Array(1 << 20)
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 26) return controller.close()
        sent++
        controller.enqueue(chunk)
      }
    })
    const streamed = await upload(app, id, 'big.iso', stream)
    expect(streamed.status).toBe(413)
    expect(((await streamed.json()) as { error: { message: string } }).error.message).toMatch(/larger than the limit of 25 MB/)
    expect(((await (await app.request('GET', `/api/items/${id}`)).json()) as Item).attachments).toEqual([])
    let blobKeys = 0
    for await (const _ of app.storage.keys('blob/')) blobKeys++
    expect(blobKeys).toBe(0)
  })

  it('answers clear errors: no name, a bad name, a name taken, an unknown item', async () => {
    const { app, id } = await setup()
    expect((await upload(app, id, undefined, new Uint8Array(1))).status).toBe(400)
    const bad = await upload(app, id, '../etc/passwd', new Uint8Array(1))
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/cannot hold "\/"/)
    expect((await upload(app, id, 'a.txt', new Uint8Array(1))).status).toBe(201)
    const taken = await upload(app, id, 'a.txt', new Uint8Array(1))
    expect(taken.status).toBe(409)
    expect(((await taken.json()) as { error: { code: string } }).error.code).toBe('attachment_exists')
    expect((await upload(app, 'nope', 'b.txt', new Uint8Array(1))).status).toBe(404)
    expect((await app.request('GET', `/api/items/${id}/attachments/nope`)).status).toBe(404)
  })

  it('answers 423 while locked, for an upload, a download and a removal', async () => {
    const { app, id } = await setup()
    const res = await upload(app, id, 'a.txt', new Uint8Array([1, 2, 3]))
    const info = (await res.json()) as { id: string }
    expect((await app.request('POST', '/api/lock')).status).toBe(200)
    expect((await upload(app, id, 'b.txt', new Uint8Array(1))).status).toBe(423)
    expect((await app.request('GET', `/api/items/${id}/attachments/${info.id}`)).status).toBe(423)
    expect((await app.request('DELETE', `/api/items/${id}/attachments/${info.id}`)).status).toBe(423)
  })

  it('needs a credential', async () => {
    const { app, id } = await setup()
    const res = await app.app.request(`http://localhost:${PORT}/api/items/${id}/attachments`, {
      method: 'POST',
      headers: { host: `localhost:${PORT}`, 'content-type': 'application/octet-stream', 'x-kith-name': 'a' },
      body: new Uint8Array(1)
    })
    expect(res.status).toBe(401)
  })
})
