/**
 * /api/items/:id/attachments: files on items. An upload is the raw body (application/octet-stream)
 * with the file's name in `X-Kith-Name` (percent-encoded), streamed into sealed chunks as it comes
 * in; a download streams the file back. Neither is ever held whole in memory, and neither puts the
 * name in a URL.
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import { HttpError } from '../errors.js'
import type { AttachmentsPort } from '../ports.js'

/** the header that carries an upload's file name */
export const NAME_HEADER = 'x-kith-name'

async function* bodyOf(request: Request): AsyncGenerator<Uint8Array> {
  const reader = request.body?.getReader()
  if (reader === undefined) return
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

function nameOf(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new HttpError(400, 'invalid_request', `give the file's name in the ${NAME_HEADER} header`)
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'invalid_request', `the ${NAME_HEADER} header is not percent-encoded UTF-8`)
  }
}

/** `attachment; filename*=UTF-8''…` with a plain ASCII fallback. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/** A stream of the generator's chunks; its first chunk is already read, so errors before any byte became a status. */
function streamOf(first: IteratorResult<Uint8Array>, rest: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  let pending: IteratorResult<Uint8Array> | undefined = first
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = pending ?? (await rest.next())
        pending = undefined
        if (next.done === true) controller.close()
        else controller.enqueue(next.value)
      } catch (err) {
        // the response is under way: the client sees a broken body, never a wrong one
        controller.error(err)
      }
    },
    async cancel() {
      await rest.return(undefined)
    }
  })
}

export function attachmentRoutes(attachments: AttachmentsPort) {
  return new Hono<ApiEnv>()
    .post('/:id/attachments', requireScope('items:write'), async c => {
      const name = nameOf(c.req.header(NAME_HEADER))
      const declared = Number(c.req.header('content-length'))
      const limit = attachments.limitBytes()
      if (Number.isFinite(declared) && declared > limit)
        throw new HttpError(
          413,
          'attachment_too_large',
          `the file is larger than the limit of ${Math.round(limit / (1024 * 1024))} MB per file`
        )
      // on the Node server, the request's own stream: its 64 KiB reads, without the web stream over it
      const incoming = (c.env as { incoming?: AsyncIterable<Uint8Array> } | undefined)?.incoming
      const info = await attachments.add(c.req.param('id'), name, incoming ?? bodyOf(c.req.raw))
      return c.json(info, 201)
    })
    .get('/:id/attachments/:attachmentId', requireScope('items:read'), async c => {
      const { id, attachmentId } = c.req.param()
      const info = attachments.info(id, attachmentId)
      const chunks = attachments.read(id, attachmentId)
      const first = await chunks.next()
      return new Response(streamOf(first, chunks), {
        status: 200,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(info.size),
          'content-disposition': disposition(info.name),
          'x-kith-sha256': info.sha256
        }
      })
    })
    .delete('/:id/attachments/:attachmentId', requireScope('items:write'), async c => {
      const { id, attachmentId } = c.req.param()
      await attachments.remove(id, attachmentId)
      return c.body(null, 204)
    })
}
