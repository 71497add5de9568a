/** kith-encrypted: kith-json sealed with XChaCha20-Poly1305 under an Argon2id-derived key (layout on HEADER_BYTES). */
import { DecryptionError } from '../crypto/errors.js'
import { NONCE_BYTES, TAG_BYTES, newNonce, open, sealWithNonce } from '../crypto/aead.js'
import { ARGON2_CEILING, ARGON2_FLOOR, aboveCeiling, argon2id, hkdf, SALT_BYTES, type Argon2Params } from '../crypto/kdf.js'
import { randomBytes } from '../crypto/random.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { describeContent } from './detect.js'
import { ExportError, ImportError, PasswordRequiredError, WrongPasswordError } from './errors.js'
import { checkSize } from './decodeText.js'
import { decodeKithJson, encodeKithJson } from './kithJson.js'
import type { ExportOptions, Exporter, Importer } from './types.js'

const FORMAT = 'kith-encrypted'
/** The file's first 7 bytes. */
export const KITH_ENCRYPTED_MAGIC = 'KITHENC'
/** The layout version this build writes and reads. */
export const KITH_ENCRYPTED_VERSION = 1
/** KDF id 1: Argon2id version 1.3, 32-byte output, then HKDF-SHA256 with {@link KEY_INFO}. */
export const KDF_ARGON2ID = 1
/**
 * Bytes before the ciphertext. Layout, big-endian: "KITHENC" • u8 version=1 • u8 kdf=1 (Argon2id v1.3) • u32 m (KiB) •
 * u32 t • u32 p • salt[16] • u32 ciphertext length • nonce[24], then the XChaCha20-Poly1305 ciphertext (16-byte tag last).
 * All 65 header bytes, nonce included, are the AEAD's associated data (docs/interop.md).
 */
export const HEADER_BYTES = 65
const KEY_INFO = 'kith-encrypted v1 file key'

/** The file key; the Argon2 output it comes from is overwritten here, the key by its caller after use. */
async function fileKey(password: string, salt: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  const stretched = await argon2id(password, salt, params)
  try {
    return hkdf(stretched, KEY_INFO)
  } finally {
    stretched.fill(0)
  }
}

/**
 * Exports items as kith-json (with their history and files, as encodeKithJson writes them) sealed under
 * `options.password` (required), Argon2id at `kdf` (default and minimum: ARGON2_FLOOR). The plaintext is
 * overwritten once sealed.
 */
export const exportKithEncrypted = async (
  items: Parameters<Exporter>[0],
  options: ExportOptions & { kdf?: Argon2Params }
): Promise<Uint8Array> => {
  if (options.password === undefined || options.password === '') throw new ExportError(FORMAT, 'a password is required')
  const params = options.kdf ?? ARGON2_FLOOR
  if (params.m < ARGON2_FLOOR.m || params.t < ARGON2_FLOOR.t || params.p < ARGON2_FLOOR.p) {
    throw new ExportError(FORMAT, `Argon2id parameters below the floor (m=${ARGON2_FLOOR.m} KiB, t=${ARGON2_FLOOR.t}, p=${ARGON2_FLOOR.p})`)
  }
  const plaintext = await encodeKithJson(items, options, FORMAT)
  const salt = randomBytes(SALT_BYTES)
  const nonce = newNonce()
  const header = new BinaryWriter()
    .raw(new TextEncoder().encode(KITH_ENCRYPTED_MAGIC))
    .u8(KITH_ENCRYPTED_VERSION)
    .u8(KDF_ARGON2ID)
    .u32(params.m)
    .u32(params.t)
    .u32(params.p)
    .raw(salt)
    .u32(plaintext.length + TAG_BYTES)
    .raw(nonce)
    .finish()
  const key = await fileKey(options.password, salt, params)
  let sealed: Uint8Array
  try {
    sealed = sealWithNonce(key, nonce, plaintext, header)
  } finally {
    key.fill(0)
    plaintext.fill(0)
  }
  return new BinaryWriter().raw(header).raw(sealed).finish()
}

/** Imports a kith-encrypted file with `options.password`. */
export const importKithEncrypted: Importer = async (data, options) => {
  checkSize(FORMAT, data)
  const r = new BinaryReader(data)
  if (data.length < 7 || new TextDecoder().decode(data.subarray(0, 7)) !== KITH_ENCRYPTED_MAGIC) {
    throw new ImportError(FORMAT, `this is not a Kith encrypted export (${describeContent(data)})`, { location: 'byte 0' })
  }
  if (data.length < HEADER_BYTES + TAG_BYTES) {
    throw new ImportError(
      FORMAT,
      `the file is truncated: ${data.length} bytes, shorter than the ${HEADER_BYTES + TAG_BYTES}-byte minimum`,
      { location: `byte ${data.length}` }
    )
  }
  r.raw(7)
  const version = r.u8()
  if (version !== KITH_ENCRYPTED_VERSION)
    throw new ImportError(FORMAT, `layout version ${version} is not one this Kith reads (${KITH_ENCRYPTED_VERSION})`, {
      location: 'byte 7'
    })
  const kdf = r.u8()
  if (kdf !== KDF_ARGON2ID) throw new ImportError(FORMAT, `unknown key-derivation id ${kdf}`, { location: 'byte 8' })
  const params: Argon2Params = { m: r.u32(), t: r.u32(), p: r.u32() }
  const dear = aboveCeiling(params, ARGON2_CEILING)
  if (dear !== undefined)
    throw new ImportError(FORMAT, `${dear}, more than Kith ever writes: refused before deriving any key`, { location: 'byte 9' })
  if (params.m < ARGON2_FLOOR.m || params.t < ARGON2_FLOOR.t || params.p < ARGON2_FLOOR.p) {
    throw new ImportError(
      FORMAT,
      `Argon2id parameters m=${params.m} t=${params.t} p=${params.p} are outside what Kith writes: the header is corrupt`,
      { location: 'byte 9' }
    )
  }
  const salt = r.raw(SALT_BYTES)
  const length = r.u32()
  const nonce = r.raw(NONCE_BYTES)
  const header = data.subarray(0, HEADER_BYTES)
  const available = r.remaining
  if (available < length)
    throw new ImportError(FORMAT, `the file is truncated: ${length} bytes of ciphertext announced, ${available} present`, {
      location: `byte ${data.length}`
    })
  if (available > length)
    throw new ImportError(FORMAT, `${available - length} unexpected bytes after the ciphertext`, {
      location: `byte ${HEADER_BYTES + length}`
    })
  if (options.password === undefined || options.password === '') throw new PasswordRequiredError(FORMAT)
  let plaintext: Uint8Array
  const key = await fileKey(options.password, salt, params)
  try {
    plaintext = open(key, nonce, data.subarray(HEADER_BYTES), header)
  } catch (err) {
    if (err instanceof DecryptionError) throw new WrongPasswordError(FORMAT, undefined, { cause: err })
    throw err
  } finally {
    key.fill(0)
  }
  return await decodeKithJson(FORMAT, plaintext, options)
}
