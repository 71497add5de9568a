/**
 * The dashboard's calls for files on items (web-ui/src/attachmentApi.ts) over a stubbed
 * XMLHttpRequest and fetch: the name header is ASCII whatever the name, the file goes as the raw
 * body with the session header, progress is reported, the daemon's refusals (413 too large, 401)
 * arrive as ApiErrors like every other call's, and a download whose bytes do not match the listed
 * SHA-256 is refused.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHash } from 'node:crypto'
import { loadPageModule } from './loadPageModule.js'

interface ApiError extends Error {
  status: number
  code: string
}
interface Attachment {
  id: string
  name: string
  size: number
  sha256: string
}
interface Api {
  ApiError: new (...args: never[]) => ApiError
  keep: (answer: { sessionToken?: string }) => unknown
  forgetSession: () => void
  hasSession: () => boolean
  onSessionLost: (listener: () => void) => () => void
}
interface AttachmentApi {
  nameHeader: (name: string) => string
  sha256Hex: (bytes: ArrayBuffer) => Promise<string>
  uploadAttachment: (
    itemId: string,
    file: File,
    onProgress: (sent: number, total: number) => void,
    signal?: AbortSignal
  ) => Promise<Attachment>
  downloadAttachment: (itemId: string, attachment: Attachment) => Promise<Blob>
  removeAttachment: (itemId: string, attachmentId: string) => Promise<void>
}

const ORIGIN = 'http://localhost:7370'
vi.stubGlobal('location', { origin: ORIGIN })
const core = await loadPageModule<Api>('api')
const files = await loadPageModule<AttachmentApi>('attachmentApi')

/** A stand-in XMLHttpRequest: records what is sent; the test answers it. */
class FakeXhr {
  static last: FakeXhr | undefined
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown
  status = 0
  responseText = ''
  responseHeaders: Record<string, string> = {}
  aborted = false
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string): void {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string): void {
    // a real XMLHttpRequest throws on a value that is not a valid header value
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value) || /[\r\n]/.test(value)) throw new TypeError(`invalid header value for ${name}`)
    this.headers[name] = value
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null
  }
  send(body: unknown): void {
    this.body = body
  }
  abort(): void {
    this.aborted = true
    this.onabort?.()
  }
  answer(status: number, body: unknown): void {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.responseHeaders = { 'content-type': 'application/json' }
    this.onload?.()
  }
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

beforeEach(() => {
  FakeXhr.last = undefined
  core.forgetSession()
  core.keep({ sessionToken: 'tok-files' })
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.stubGlobal('location', { origin: ORIGIN })
})

describe('nameHeader', () => {
  it('percent-encodes any name into printable ASCII that decodes back to it', () => {
    for (const name of ['résumé "final".pdf', 'Ausweis – Rückseite.jpg', '写真 📷.png', 'a\r\nX-Evil: 1.txt', 'plain.txt']) {
      const value = files.nameHeader(name)
      expect(value).toMatch(/^[\x21-\x7e]+$/)
      expect(decodeURIComponent(value)).toBe(name)
    }
    expect(files.nameHeader('a\r\nb')).toBe('a%0D%0Ab')
  })

  it('turns a lone surrogate into U+FFFD instead of throwing (encodeURIComponent alone throws)', () => {
    expect(() => encodeURIComponent('bad\uD800.txt')).toThrow(URIError)
    expect(decodeURIComponent(files.nameHeader('bad\uD800.txt'))).toBe('bad\uFFFD.txt')
    expect(decodeURIComponent(files.nameHeader('\uDC00x\uD83D\uDCF7'))).toBe('\uFFFDx📷')
  })
})

describe('uploadAttachment', () => {
  it('sends the file itself as the body, with the session, octet-stream and the encoded name; reports progress', async () => {
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'Pass scan é.pdf')
    const progress: Array<[number, number]> = []
    const done = files.uploadAttachment('item/1', file, (sent, total) => progress.push([sent, total]))
    const xhr = FakeXhr.last as FakeXhr
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('/api/items/item%2F1/attachments')
    expect(xhr.headers).toMatchObject({
      'X-Kith-Session': 'tok-files',
      'Content-Type': 'application/octet-stream',
      'X-Kith-Name': 'Pass%20scan%20%C3%A9.pdf'
    })
    expect(xhr.body).toBe(file)
    xhr.upload.onprogress?.({ loaded: 2, total: 4, lengthComputable: true })
    xhr.upload.onprogress?.({ loaded: 4, total: 0, lengthComputable: false })
    expect(progress).toEqual([
      [2, 4],
      [4, 4]
    ])
    const info = { id: 'att1', name: 'Pass scan é.pdf', size: 4, sha256: 'ab' }
    xhr.answer(201, info)
    await expect(done).resolves.toEqual(info)
  })

  it("a 413 rejects with the daemon's code and message", async () => {
    const done = files.uploadAttachment('i', new File(['x'], 'big.bin'), () => {})
    ;(FakeXhr.last as FakeXhr).answer(413, {
      error: { code: 'attachment_too_large', message: 'big.bin is larger than the 25 MB a file may be' }
    })
    const err = await done.catch((e: unknown) => e as ApiError)
    expect(err).toBeInstanceOf(core.ApiError)
    expect(err).toMatchObject({ status: 413, code: 'attachment_too_large', message: 'big.bin is larger than the 25 MB a file may be' })
    expect(core.hasSession()).toBe(true)
  })

  it('a 401 unauthorized loses the session as any call does', async () => {
    const heard: string[] = []
    const off = core.onSessionLost(() => heard.push('lost'))
    const done = files.uploadAttachment('i', new File(['x'], 'a.txt'), () => {})
    ;(FakeXhr.last as FakeXhr).answer(401, { error: { code: 'unauthorized', message: 'the session ended' } })
    await expect(done).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
    expect(heard).toEqual(['lost'])
    expect(core.hasSession()).toBe(false)
    off()
  })

  it('a broken connection and an abort reject with their own codes', async () => {
    const broken = files.uploadAttachment('i', new File(['x'], 'a.txt'), () => {})
    ;(FakeXhr.last as FakeXhr).onerror?.()
    await expect(broken).rejects.toMatchObject({ code: 'network_error' })

    const controller = new AbortController()
    const stopped = files.uploadAttachment('i', new File(['x'], 'a.txt'), () => {}, controller.signal)
    controller.abort()
    await expect(stopped).rejects.toMatchObject({ code: 'cancelled' })
    expect((FakeXhr.last as FakeXhr).aborted).toBe(true)
  })
})

describe('downloadAttachment', () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255, 10, 13])
  const stubFetch = (body: Uint8Array, status = 200): string[] => {
    const urls: string[] = []
    vi.stubGlobal('fetch', async (input: string | URL | Request, init: RequestInit = {}) => {
      urls.push(String(input instanceof Request ? input.url : input))
      expect(new Headers(init.headers).get('X-Kith-Session')).toBe('tok-files')
      return status === 200
        ? new Response(body, { status, headers: { 'content-type': 'application/octet-stream' } })
        : new Response(JSON.stringify({ error: { code: 'attachment_unavailable', message: 'no device that has it is connected' } }), {
            status,
            headers: { 'content-type': 'application/json' }
          })
    })
    return urls
  }

  it('answers the bytes when they match the listed SHA-256', async () => {
    const urls = stubFetch(bytes)
    const blob = await files.downloadAttachment('item 1', { id: 'att/1', name: 'a.bin', size: bytes.length, sha256: sha(bytes) })
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes)
    expect(urls).toEqual([`${ORIGIN}/api/items/item%201/attachments/att%2F1`])
    expect(await files.sha256Hex(await blob.arrayBuffer())).toBe(sha(bytes))
  })

  it('refuses bytes that do not match, and passes on the daemon’s 503', async () => {
    stubFetch(bytes)
    await expect(
      files.downloadAttachment('i', { id: 'a', name: 'a.bin', size: bytes.length, sha256: sha(new Uint8Array([9])) })
    ).rejects.toMatchObject({ code: 'attachment_corrupt' })
    stubFetch(bytes, 503)
    await expect(files.downloadAttachment('i', { id: 'a', name: 'a.bin', size: 1, sha256: sha(bytes) })).rejects.toMatchObject({
      status: 503,
      code: 'attachment_unavailable',
      message: 'no device that has it is connected'
    })
  })
})
