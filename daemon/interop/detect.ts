/** Guesses a file's format from its first bytes, to pick an importer or to explain a format mismatch. */
import type { ImportFormat } from './types.js'

const KDBX_MAGIC = [0x03, 0xd9, 0xa2, 0x9a]
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const KITH_MAGIC = 'KITHENC'

function startsWith(data: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => data[i] === b)
}

function headText(data: Uint8Array, n = 4096): string {
  let s = new TextDecoder('utf-8').decode(data.subarray(0, n))
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1)
  return s
}

/** The lower-cased, unquoted cells of the first line, for recognising CSV headers. */
function headerCells(text: string): string[] {
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  const sep = line.split(';').length > line.split(',').length ? ';' : ','
  return line.split(sep).map(c => c.trim().replace(/^"|"$/g, '').toLowerCase())
}

/** The most likely import format of `data`, or null when nothing matches. */
export function detectFormat(data: Uint8Array): ImportFormat | null {
  if (startsWith(data, KDBX_MAGIC)) return 'kdbx'
  if (headText(data, 7) === KITH_MAGIC) return 'kith-encrypted'
  if (startsWith(data, ZIP_MAGIC))
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes('export.data') ? '1password-1pux' : null
  const text = headText(data).trimStart()
  if (text.startsWith('{')) {
    if (/"format"\s*:\s*"kith-json"/.test(text)) return 'kith-json'
    if (/"(items|encrypted|folders|collections|passwordProtected)"/.test(text)) return 'bitwarden-json'
    return null
  }
  if (text.startsWith('<')) return text.includes('<KeePassFile') ? 'keepass-xml' : null
  const cells = new Set(headerCells(text))
  const has = (...names: string[]): boolean => names.every(n => cells.has(n))
  if (has('login_uri', 'login_password')) return 'bitwarden-csv'
  if (has('url', 'username', 'password', 'httprealm')) return 'firefox-csv'
  if (has('url', 'username', 'password', 'extra', 'grouping')) return 'lastpass-csv'
  if (has('group', 'title', 'username', 'password')) return 'keepass-csv'
  if (has('title', 'username', 'password') && (cells.has('url') || cells.has('otpauth') || cells.has('archived'))) return '1password-csv'
  if (has('name', 'url', 'username', 'password')) return 'chrome-csv'
  return null
}

/** A short description of what `data` looks like, for error messages ("a KDBX database", "JSON text", …). */
export function describeContent(data: Uint8Array): string {
  if (data.length === 0) return 'empty'
  const guess = detectFormat(data)
  if (guess !== null) return `it looks like ${guess}`
  if (startsWith(data, ZIP_MAGIC)) return 'it looks like a ZIP archive'
  const text = headText(data, 512)
  if (text.includes('\uFFFD') || data.subarray(0, 512).includes(0)) return 'it looks like binary data'
  const t = text.trimStart()
  if (t.startsWith('{') || t.startsWith('[')) return 'it looks like JSON'
  if (t.startsWith('<')) return 'it looks like XML or HTML'
  return 'it looks like text of an unknown layout'
}
