/** Opens Bitwarden password-protected JSON exports: PBKDF2-SHA256 or Argon2id, HKDF-stretched keys, AES-256-CBC + HMAC EncStrings. */
import { createDecipheriv, createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { expand } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { aboveCeiling, argon2id, FOREIGN_ARGON2_CEILING } from '../crypto/kdf.js'
import { ImportError, WrongPasswordError } from './errors.js'
import { str } from './jsonShape.js'

const pbkdf2Async = promisify(pbkdf2)

/** The two keys an EncString of type 2 needs. */
interface StretchedKey {
  enc: Uint8Array
  mac: Uint8Array
}

/** The parts of an EncString `2.<iv>|<ciphertext>|<mac>` (base64 each). */
interface EncString {
  iv: Buffer
  ct: Buffer
  mac: Buffer
}

function parseEncString(format: string, s: unknown, what: string): EncString {
  const m = /^2\.([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(str(s).trim())
  if (m === null)
    throw new ImportError(format, `${what} is not a Bitwarden EncString of type 2 (AES-256-CBC with HMAC-SHA256)`, {
      location: `key '${what}'`
    })
  const parts = {
    iv: Buffer.from(m[1] as string, 'base64'),
    ct: Buffer.from(m[2] as string, 'base64'),
    mac: Buffer.from(m[3] as string, 'base64')
  }
  if (parts.iv.length !== 16 || parts.mac.length !== 32 || parts.ct.length === 0 || parts.ct.length % 16 !== 0) {
    throw new ImportError(format, `${what} has the wrong lengths (truncated or edited?)`, { location: `key '${what}'` })
  }
  return parts
}

/** Verifies the MAC then decrypts; null when the MAC does not match (wrong key). */
function openEncString(e: EncString, key: StretchedKey): Buffer | null {
  const mac = createHmac('sha256', key.mac).update(e.iv).update(e.ct).digest()
  if (!timingSafeEqual(mac, e.mac)) return null
  const d = createDecipheriv('aes-256-cbc', key.enc, e.iv)
  return Buffer.concat([d.update(e.ct), d.final()])
}

/** Derives the master key from the password with the file's KDF and parameters, then stretches it with HKDF-Expand. */
async function deriveKey(format: string, file: Record<string, unknown>, password: string): Promise<StretchedKey> {
  const master = await masterKey(format, file, password)
  try {
    return {
      enc: expand(sha256, master, new TextEncoder().encode('enc'), 32),
      mac: expand(sha256, master, new TextEncoder().encode('mac'), 32)
    }
  } finally {
    master.fill(0)
  }
}

/** The master key (PBKDF2-SHA256 or Argon2id, as the file says); the caller overwrites it after use. */
async function masterKey(format: string, file: Record<string, unknown>, password: string): Promise<Uint8Array> {
  const salt = str(file.salt)
  if (salt === '') throw new ImportError(format, 'the encrypted export has no salt', { location: "key 'salt'" })
  const iterations = Number(file.kdfIterations)
  let master: Uint8Array
  if (file.kdfType === 0 || file.kdfType === undefined) {
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000)
      throw implausible(format, `kdfIterations ${String(file.kdfIterations)}`)
    master = await pbkdf2Async(password, salt, iterations, 32, 'sha256')
  } else if (file.kdfType === 1) {
    const memoryMiB = Number(file.kdfMemory)
    const parallelism = Number(file.kdfParallelism)
    if (!Number.isInteger(iterations) || iterations < 1) throw implausible(format, `kdfIterations ${String(file.kdfIterations)}`)
    if (!Number.isInteger(memoryMiB) || memoryMiB < 1) throw implausible(format, `kdfMemory ${String(file.kdfMemory)} MiB`)
    if (!Number.isInteger(parallelism) || parallelism < 1) throw implausible(format, `kdfParallelism ${String(file.kdfParallelism)}`)
    const dear = aboveCeiling({ m: memoryMiB * 1024, t: iterations, p: parallelism }, FOREIGN_ARGON2_CEILING)
    if (dear !== undefined) throw new ImportError(format, `${dear}: refused before deriving any key`)
    // Bitwarden hashes the salt string with SHA-256 to get Argon2's 32-byte salt.
    const argonSalt = new Uint8Array(createHash('sha256').update(salt, 'utf8').digest())
    master = await argon2id(password, argonSalt, { m: memoryMiB * 1024, t: iterations, p: parallelism }, { allowWeak: true })
  } else {
    throw new ImportError(format, `unknown kdfType ${String(file.kdfType)} (0 = PBKDF2-SHA256 and 1 = Argon2id are known)`, {
      location: "key 'kdfType'"
    })
  }
  return master
}

function implausible(format: string, what: string): ImportError {
  return new ImportError(format, `implausible key-derivation parameter ${what} (corrupt or edited file?)`)
}

/**
 * Decrypts a password-protected Bitwarden export (`encrypted` and `passwordProtected` true) to the JSON text of
 * an unencrypted export. A wrong password is a WrongPasswordError, detected with `encKeyValidation_DO_NOT_EDIT`.
 */
export async function decryptBitwardenExport(format: string, file: Record<string, unknown>, password: string): Promise<string> {
  const validation = parseEncString(format, file.encKeyValidation_DO_NOT_EDIT, 'encKeyValidation_DO_NOT_EDIT')
  const payload = parseEncString(format, file.data, 'data')
  const key = await deriveKey(format, file, password)
  try {
    return openExport(format, validation, payload, key)
  } finally {
    key.enc.fill(0)
    key.mac.fill(0)
  }
}

/** The export's JSON text, its key checked with the validation EncString first. */
function openExport(format: string, validation: EncString, payload: EncString, key: StretchedKey): string {
  let plain: Buffer | null
  try {
    plain = openEncString(validation, key)
  } catch (err) {
    throw new WrongPasswordError(format, undefined, { cause: err })
  }
  if (plain === null) throw new WrongPasswordError(format)
  let data: Buffer | null
  try {
    data = openEncString(payload, key)
  } catch (err) {
    throw new ImportError(format, 'the encrypted data is corrupt (bad padding)', { location: "key 'data'", cause: err })
  }
  if (data === null)
    throw new ImportError(format, 'the encrypted data was modified or truncated (MAC mismatch) although the password is right', {
      location: "key 'data'"
    })
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data)
  } catch (err) {
    throw new ImportError(format, 'the decrypted data is not UTF-8 text', { location: "key 'data'", cause: err })
  }
}
