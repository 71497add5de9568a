/**
 * A file on an item, as the item's Y.Map keeps it: one entry per file (`a:<attachmentId>`), so two
 * devices adding files at once both keep theirs. The entry holds the file's own key: the document is
 * sealed under the vault key, so the key is as safe as the item's password. The file's bytes are
 * sealed chunks outside the document (replica/BlobStore.ts).
 */
import type { AttachmentInfo } from './Item.js'

export const ATTACHMENT_KEY_PREFIX = 'a:'
export const MAX_ATTACHMENT_NAME = 255

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters (C0 and C1) is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\]/

/**
 * A file name an item may show: what a person would type, no path, no control character (a name
 * from another device's record reaches terminals and download headers, so escape sequences and
 * line breaks never pass).
 */
export function isAttachmentName(name: string): boolean {
  return (
    name.trim() === name && name !== '' && name !== '.' && name !== '..' && [...name].length <= MAX_ATTACHMENT_NAME && !FORBIDDEN.test(name)
  )
}

export interface AttachmentRecord extends AttachmentInfo {
  /** base64url of the 32-byte key the file's chunks are sealed with */
  key: string
  /** bytes of plaintext per chunk (the last may be shorter) */
  chunkSize: number
  /** ISO 8601 */
  addedAt: string
}

/** The file's key as bytes (the caller zeroes it after use). */
export function attachmentKey(record: AttachmentRecord): Uint8Array {
  return new Uint8Array(Buffer.from(record.key, 'base64url'))
}

export function encodeAttachment(record: AttachmentRecord): string {
  const { id: _id, ...rest } = record
  return JSON.stringify(rest)
}

/** The record at a map entry; undefined for anything malformed (a hostile peer's entry is skipped, not trusted). */
export function decodeAttachment(id: string, raw: unknown): AttachmentRecord | undefined {
  if (typeof raw !== 'string') return undefined
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (v === null || typeof v !== 'object') return undefined
  const r = v as Record<string, unknown>
  const { name, size, sha256, key, chunkSize, addedAt } = r
  if (typeof name !== 'string' || typeof key !== 'string' || typeof sha256 !== 'string' || typeof addedAt !== 'string') return undefined
  if (!isAttachmentName(name)) return undefined
  if (!Number.isSafeInteger(size) || (size as number) < 0) return undefined
  if (!Number.isSafeInteger(chunkSize) || (chunkSize as number) <= 0) return undefined
  if (!/^[0-9a-f]{64}$/.test(sha256) || !/^[A-Za-z0-9_-]{43}$/.test(key)) return undefined
  return { id, name, size: size as number, sha256, key, chunkSize: chunkSize as number, addedAt }
}

/** Every well-formed file record among an item's map entries (malformed ones skipped). */
export function* recordsOf(map: Iterable<[string, unknown]>): Generator<AttachmentRecord> {
  for (const [key, raw] of map) {
    if (!key.startsWith(ATTACHMENT_KEY_PREFIX)) continue
    const record = decodeAttachment(key.slice(ATTACHMENT_KEY_PREFIX.length), raw)
    if (record !== undefined) yield record
  }
}

/** The item JSON's `attachments`: every well-formed file record, oldest first. */
export function attachmentsOf(map: Iterable<[string, unknown]>): AttachmentInfo[] {
  const found = [...recordsOf(map)]
  found.sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.id.localeCompare(b.id))
  return found.map(({ id, name, size, sha256 }) => ({ id, name, size, sha256 }))
}

/**
 * `addedAt` for a file added now: after every file the item holds, so files added within one
 * millisecond (an import's) keep the order they were added in.
 */
export function nextAddedAt(map: Iterable<[string, unknown]>, addedAt: string): string {
  let newest = Date.parse(addedAt)
  for (const record of recordsOf(map)) {
    const t = Date.parse(record.addedAt)
    if (t >= newest) newest = t + 1
  }
  return Number.isFinite(newest) ? new Date(newest).toISOString() : addedAt
}
