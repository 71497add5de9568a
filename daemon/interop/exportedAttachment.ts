/** The bytes of an item's file for an export, checked against the item's record of it (size and SHA-256). */
import { createHash } from 'node:crypto'
import type { AttachmentInfo, Item } from '../vault/Item.js'
import { ExportError } from './errors.js'
import type { ExportOptions } from './types.js'
import { itemLabel } from './warnings.js'

/** Hex SHA-256 of `data`, as an item's attachment record has it. */
export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/**
 * Reads one file of `item` through `options.attachmentData`. An export never leaves a file out
 * quietly: no way to read files, or bytes that differ from the record, is an ExportError.
 */
export async function attachmentBytes(format: string, item: Item, info: AttachmentInfo, options: ExportOptions): Promise<Uint8Array> {
  const where = `the file ${JSON.stringify(info.name)} of ${itemLabel(item.title, 0)}`
  if (options.attachmentData === undefined)
    throw new ExportError(format, `${where} cannot be read (this export has no access to attachments), so it would be lost`)
  const data = await options.attachmentData(item.id, info.id)
  if (data.length !== info.size || sha256Hex(data) !== info.sha256)
    throw new ExportError(format, `${where} does not match its record (size or SHA-256): the stored copy is damaged`)
  return data
}
