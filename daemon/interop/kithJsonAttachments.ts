/**
 * An item's `attachments` in kith-json: `[{"name", "size", "sha256", "data"}]`, `data` the file's
 * bytes in base64 (RFC 4648 with padding). Written slice by slice into the file (ByteChunks); read
 * back with the size and SHA-256 checked, so a damaged file is an ImportError, never a wrong file.
 */
import type { Item } from '../vault/Item.js'
import type { ByteChunks } from './ByteChunks.js'
import { ImportError } from './errors.js'
import { attachmentBytes, sha256Hex } from './exportedAttachment.js'
import type { ExportOptions, ImportedAttachment } from './types.js'

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const SHA256 = /^[0-9a-f]{64}$/

/**
 * Writes `,\n<indent>"attachments": [...]` for `item`, one file read at a time; `indent` is the
 * item's keys' indentation (pretty-printed like JSON.stringify with 2 spaces).
 */
export async function writeKithAttachments(
  out: ByteChunks,
  format: string,
  item: Item,
  options: ExportOptions,
  indent: string
): Promise<void> {
  if (item.attachments.length === 0) {
    out.text(`,\n${indent}"attachments": []`)
    return
  }
  const inner = `${indent}    `
  out.text(`,\n${indent}"attachments": [`)
  for (const [k, info] of item.attachments.entries()) {
    const data = await attachmentBytes(format, item, info, options)
    out.text(
      `${k > 0 ? ',' : ''}\n${indent}  {\n${inner}"name": ${JSON.stringify(info.name)},\n${inner}"size": ${info.size},\n` +
        `${inner}"sha256": ${JSON.stringify(info.sha256)},\n${inner}"data": "`
    )
    out.base64(data)
    out.text(`"\n${indent}  }`)
  }
  out.text(`\n${indent}]`)
}

/**
 * The item's `attachments` as files to store. Each `data` is decoded once and checked against
 * `size` and `sha256`; the decoded text is dropped from the parsed file as it goes.
 */
export function readKithAttachments(format: string, where: string, raw: unknown): ImportedAttachment[] {
  if (!Array.isArray(raw)) throw new ImportError(format, '"attachments" must be an array of files', { location: where })
  return raw.map((rawFile, n) => {
    const f = rawFile as Record<string, unknown> | null
    const at = `${where}, attachments[${n}]`
    if (f === null || typeof f !== 'object' || Array.isArray(f))
      throw new ImportError(format, 'a file must be an object {name, size, sha256, data}', { location: at })
    const named = typeof f.name === 'string' ? ` (${JSON.stringify(f.name)})` : ''
    const fail = (message: string): never => {
      throw new ImportError(format, message, { location: at + named })
    }
    if (typeof f.name !== 'string' || f.name.trim() === '') fail('"name" must be a non-empty string')
    if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) fail('"size" must be a whole number of bytes')
    if (typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) fail('"sha256" must be 64 lowercase hex digits')
    if (typeof f.data !== 'string' || f.data.length % 4 !== 0 || !BASE64.test(f.data)) fail('"data" must be base64 text')
    const data = Buffer.from(f.data as string, 'base64')
    f.data = ''
    if (data.length !== f.size) fail(`the data is ${data.length} bytes, not the ${f.size as number} "size" says: the file is damaged`)
    if (sha256Hex(data) !== f.sha256) fail('the data does not match its "sha256": the file is damaged')
    return { name: f.name as string, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }
  })
}
