/**
 * A sealed picture of what a vault's lists show, kept beside the log so that an unlock can show the
 * list before the document is rebuilt (rebuilding 10,000 items takes Yjs 100–200 ms). The replica
 * does not know what the picture holds (the service layer writes and reads it); it seals it under
 * the vault key of the current epoch and binds it to the heads it was taken at: an unlock uses it
 * only when what it read from the log has exactly those heads, so a picture is never older than
 * the log. Never sent to peers. Layout: u8 version (1) • u32 epoch • nonce(24) • ciphertext, AAD
 * "kith list image 1" • vault id • epoch; the plaintext is u32 n • n head ids • the picture.
 */
import { sealWithNonce, newNonce, open, NONCE_BYTES } from '../crypto/aead.js'
import { toHex } from '../crypto/bytes.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import type { SignedHead } from '../codec/SignedHead.js'

const VERSION = 1
const encoder = new TextEncoder()

/** What identifies a set of heads: author, seq and hash of each, in author order. */
export function headsId(heads: SignedHead[]): string {
  return heads
    .map(h => `${h.author}:${h.seq}:${toHex(h.hash)}`)
    .sort()
    .join(',')
}

function aad(vaultId: string, epoch: number): Uint8Array {
  return new BinaryWriter().raw(encoder.encode('kith list image 1')).string(vaultId).u32(epoch).finish()
}

export function sealListImage(vaultId: string, epoch: number, key: Uint8Array, heads: SignedHead[], picture: Uint8Array): Uint8Array {
  const nonce = newNonce()
  const plaintext = new BinaryWriter()
    .bytes(encoder.encode(headsId(heads)))
    .raw(picture)
    .finish()
  const sealed = sealWithNonce(key, nonce, plaintext, aad(vaultId, epoch))
  plaintext.fill(0)
  return new BinaryWriter().u8(VERSION).u32(epoch).raw(nonce).raw(sealed).finish()
}

/**
 * The picture, if the record opens under this vault's key and was taken at exactly `heads`;
 * undefined otherwise (an older picture, another vault's, a damaged or foreign record).
 */
export function openListImage(
  vaultId: string,
  key: (epoch: number) => Uint8Array,
  heads: SignedHead[],
  bytes: Uint8Array
): Uint8Array | undefined {
  try {
    const r = new BinaryReader(bytes)
    if (r.u8() !== VERSION) return undefined
    const epoch = r.u32()
    const nonce = r.raw(NONCE_BYTES)
    const plaintext = open(key(epoch), nonce, bytes.subarray(r.position), aad(vaultId, epoch))
    const p = new BinaryReader(plaintext)
    const taken = new TextDecoder().decode(p.bytes())
    if (taken !== headsId(heads)) {
      plaintext.fill(0)
      return undefined
    }
    return plaintext.subarray(p.position)
  } catch {
    return undefined
  }
}
