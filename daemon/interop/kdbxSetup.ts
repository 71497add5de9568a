/**
 * Prepares kdbxweb once: native Argon2 (argon2d/argon2id), a parse hook that keeps TABs kdbxweb 2.1.1 strips, and
 * the hooks of kdbxBinaries.ts for entries' files (capped gunzip, missing references made visible).
 */
import argon2 from 'argon2'
import kdbxweb from 'kdbxweb'
import { aboveCeiling, FOREIGN_ARGON2_CEILING } from '../crypto/kdf.js'
import { ImportError } from './errors.js'
import { installBinaryHooks } from './kdbxBinaries.js'

let installed = false

/**
 * AES-KDF rounds above this are refused before deriving: ~30 s of kdbxweb's AES-KDF on a 2024 laptop core, far above
 * KeePass's "one second" setting, while a hostile header could otherwise ask for 2^64 rounds and hold the daemon forever.
 */
export const MAX_AES_KDF_ROUNDS = 500_000_000

/**
 * kdbxweb's XmlUtils.parse deletes every control character, TAB included, before parsing the decrypted XML, so a
 * tab in notes or an unprotected field is lost. Text content cannot contain `<`, so every tab between `>` and `<`
 * is inside a text node: writing it as the character reference `&#9;` survives the stripping and parses back to TAB.
 */
export function escapeTextTabs(xml: string): string {
  return xml.includes('\t') ? xml.replace(/>[^<]*</g, m => (m.includes('\t') ? m.replace(/\t/g, '&#9;') : m)) : xml
}

/** Installs the Argon2 implementation (refusing parameters above FOREIGN_ARGON2_CEILING), an AES-KDF round cap, the TAB-preserving parse hook and the binary hooks (idempotent; affects kdbxweb process-wide). */
export function setUpKdbxweb(): void {
  if (installed) return
  installed = true
  kdbxweb.CryptoEngine.setArgon2Impl(async (password, salt, memory, iterations, length, parallelism, type, version) => {
    const dear = aboveCeiling({ m: memory, t: iterations, p: parallelism }, FOREIGN_ARGON2_CEILING)
    if (dear !== undefined) throw new ImportError('kdbx', `${dear}: refused before deriving any key`)
    const hash = await argon2.hash(Buffer.from(password), {
      raw: true,
      salt: Buffer.from(salt),
      memoryCost: memory,
      timeCost: iterations,
      hashLength: length,
      parallelism,
      type: type === kdbxweb.CryptoEngine.Argon2TypeArgon2id ? argon2.argon2id : argon2.argon2d,
      version
    })
    // kdbxweb gets its own copy; the native result is overwritten
    const key = hash.buffer.slice(hash.byteOffset, hash.byteOffset + hash.byteLength) as ArrayBuffer
    hash.fill(0)
    return key
  })
  const aes = kdbxweb.KeyEncryptorAes as unknown as { encrypt: (key: Uint8Array, salt: Uint8Array, rounds: number) => Promise<Uint8Array> }
  const aesKdf = aes.encrypt
  aes.encrypt = async (key, salt, rounds) => {
    if (rounds > MAX_AES_KDF_ROUNDS)
      throw new ImportError(
        'kdbx',
        `AES-KDF rounds ${rounds} are above the limit of ${MAX_AES_KDF_ROUNDS.toLocaleString('en')}: refused before deriving any key`
      )
    return await aesKdf(key, salt, rounds)
  }
  const xmlUtils = kdbxweb.XmlUtils as unknown as { parse: (xml: string) => unknown }
  const original = xmlUtils.parse
  xmlUtils.parse = (xml: string) => original(escapeTextTabs(xml))
  installBinaryHooks()
}
