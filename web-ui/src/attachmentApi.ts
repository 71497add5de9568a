/**
 * The dashboard's calls for files on items, a lazy chunk of the item view: upload (an
 * XMLHttpRequest, the one browser API that reports upload progress), download and removal. The same
 * session header and answer handling as every other call (api.ts); the file's bytes go as the raw
 * body, its name in X-Kith-Name, percent-encoded (a header carries only ASCII).
 */
import { ApiError, client, ok, sessionHeaders } from './api.js'
import type { Item } from './types.js'

export type AttachmentInfo = Item['attachments'][number]

/** The X-Kith-Name value for a file name: UTF-8, percent-encoded; a lone surrogate becomes U+FFFD instead of throwing. */
export function nameHeader(name: string): string {
  return encodeURIComponent(name.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'))
}

/** The hex SHA-256 of some bytes (as the item JSON gives each file's). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('')
}

const param = (itemId: string, attachmentId: string) => ({ id: encodeURIComponent(itemId), attachmentId: encodeURIComponent(attachmentId) })

/**
 * Uploads `file` onto the item; `onProgress` hears the bytes sent so far. Rejects with an ApiError:
 * the daemon's (413 attachment_too_large, 404, 423…), `network_error` when the connection broke, or
 * `cancelled` when `signal` aborted it.
 */
export function uploadAttachment(
  itemId: string,
  file: File,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal
): Promise<AttachmentInfo> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/items/${encodeURIComponent(itemId)}/attachments`)
    const headers: Record<string, string> = {
      ...sessionHeaders(),
      Accept: 'application/json',
      'Content-Type': 'application/octet-stream',
      'X-Kith-Name': nameHeader(file.name)
    }
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = e => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
    xhr.onload = () => {
      // the answer as a Response, so it meets the same checks as every other call (401 → session lost)
      const answer = new Headers({ 'Content-Type': xhr.getResponseHeader('Content-Type') ?? 'application/json' })
      const retry = xhr.getResponseHeader('Retry-After')
      if (retry !== null) answer.set('Retry-After', retry)
      const res = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, headers: answer })
      ok(Promise.resolve(res))
        .then(async r => (await r.json()) as AttachmentInfo)
        .then(resolve, reject)
    }
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The upload stopped: the connection to the daemon closed'))
    xhr.onabort = () => reject(new ApiError(0, 'cancelled', 'Upload cancelled'))
    if (signal?.aborted === true) {
      reject(new ApiError(0, 'cancelled', 'Upload cancelled'))
      return
    }
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(file)
  })
}

/**
 * A file's bytes, checked against the SHA-256 the item lists for it (a file that does not match is
 * refused, never saved). 503 `attachment_unavailable` when no device that holds it is connected.
 */
export async function downloadAttachment(itemId: string, attachment: AttachmentInfo): Promise<Blob> {
  const res = await ok(client.items[':id'].attachments[':attachmentId'].$get({ param: param(itemId, attachment.id) }))
  const blob = await res.blob()
  if ((await sha256Hex(await blob.arrayBuffer())) !== attachment.sha256)
    throw new ApiError(
      0,
      'attachment_corrupt',
      `“${attachment.name}” did not arrive intact (its SHA-256 does not match); nothing was saved`
    )
  return blob
}

export async function removeAttachment(itemId: string, attachmentId: string): Promise<void> {
  await ok(client.items[':id'].attachments[':attachmentId'].$delete({ param: param(itemId, attachmentId) }))
}
