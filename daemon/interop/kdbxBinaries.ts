/**
 * The files of KDBX entries. kdbxweb reads them itself; two hooks (installed once by kdbxSetup.ts) make that safe
 * and visible: a KDBX 3.1 file compressed in `Meta/Binaries` is gunzipped here under the attachment caps (kdbxweb's
 * own gunzip has none: a bomb would take all memory), an empty one is kept (kdbxweb drops it), and a reference to a
 * file the database does not hold becomes a marker the importer warns about (kdbxweb silently drops it).
 */
import { randomBytes } from 'node:crypto'
import kdbxweb from 'kdbxweb'
import { ImportError } from './errors.js'
import { gunzipCapped } from './gunzipCapped.js'
import { ATTACHMENT_INFLATE_LIMITS, MAX_IMPORTED_FILES_BYTES, type ImportedFiles } from './importedFiles.js'
import type { ImportedAttachment } from './types.js'

const FORMAT = 'kdbx'
const MISSING = 'kith-missing-ref:'

/** Stand-ins for files above the limit (nothing inflated), with the size their gzip trailer declares. */
const tooLarge = new WeakMap<ArrayBuffer, number>()
/** Bytes inflated so far per database being loaded (its XML document), against MAX_IMPORTED_FILES_BYTES. */
const inflated = new WeakMap<object, number>()

interface BinaryNode {
  protectedValue?: unknown
  textContent: string | null
  ownerDocument: object | null
  getAttribute: (name: string) => string | null
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

function readBinary(node: BinaryNode, original: (node: BinaryNode) => unknown): unknown {
  if (node.protectedValue !== undefined || (node.getAttribute('Ref') ?? '') !== '') return original(node)
  const text = node.textContent ?? ''
  // KeePassXC writes an empty file as `<Binary ID="0" Compressed="True"/>`
  if (text.trim() === '') return new ArrayBuffer(0)
  if ((node.getAttribute('Compressed') ?? '').toLowerCase() !== 'true') return original(node)
  const what = `binary ${node.getAttribute('ID') ?? ''}`.trim()
  const result = gunzipCapped(FORMAT, new Uint8Array(Buffer.from(text, 'base64')), what, ATTACHMENT_INFLATE_LIMITS)
  if ('tooLarge' in result) {
    const marker = toArrayBuffer(new Uint8Array(randomBytes(32)))
    tooLarge.set(marker, result.tooLarge)
    return marker
  }
  const doc = node.ownerDocument ?? node
  const total = (inflated.get(doc) ?? 0) + result.data.length
  if (total > MAX_IMPORTED_FILES_BYTES)
    throw new ImportError(
      FORMAT,
      `the database's files inflate to more than ${MAX_IMPORTED_FILES_BYTES / 1048576} MiB in all (a gzip bomb?); refused`
    )
  inflated.set(doc, total)
  return toArrayBuffer(result.data)
}

/** Installs the two hooks (call once; they affect kdbxweb process-wide, and only reading). */
export function installBinaryHooks(): void {
  const xmlUtils = kdbxweb.XmlUtils as unknown as { getProtectedBinary: (node: BinaryNode) => unknown }
  const original = xmlUtils.getProtectedBinary
  xmlUtils.getProtectedBinary = (node: BinaryNode) => readBinary(node, original)
  const proto = kdbxweb.KdbxBinaries.prototype
  const getByRef = proto.getByRef
  proto.getByRef = function (this: kdbxweb.KdbxBinaries, ref: kdbxweb.KdbxBinaryRef): kdbxweb.KdbxBinaryWithHash | undefined {
    return getByRef.call(this, ref) ?? { hash: MISSING + ref.ref, value: new ArrayBuffer(0) }
  }
}

/** The files of one entry (its history's are not kept), under `files`' limits; `label` names the entry in warnings. */
export function kdbxEntryFiles(entry: kdbxweb.KdbxEntry, label: string, files: ImportedFiles): ImportedAttachment[] {
  const out: ImportedAttachment[] = []
  for (const [name, raw] of entry.binaries) {
    const withHash = kdbxweb.KdbxBinaries.isKdbxBinaryWithHash(raw)
    const value = withHash ? raw.value : raw
    if (withHash && raw.hash.startsWith(MISSING)) {
      files.missing(label, name, 'the database references binaries it does not hold', `binary ${raw.hash.slice(MISSING.length)}`)
      continue
    }
    const declared = value instanceof ArrayBuffer ? tooLarge.get(value) : undefined
    if (declared !== undefined) {
      files.fits(label, name, declared)
      continue
    }
    files.add(out, label, name, value instanceof kdbxweb.ProtectedValue ? value.getBinary() : new Uint8Array(value))
  }
  return out
}
