/**
 * How roster records name a vault: SHA-256 of a domain tag and the vault id. The roster goes to
 * every device, including those admitted to some vaults only; a device that holds a vault computes
 * its reference, one that does not learns nothing of the vault's id from it.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { toHex, utf8 } from '../crypto/bytes.js'

const cache = new Map<string, string>()

export function vaultRef(vaultId: string): string {
  let ref = cache.get(vaultId)
  if (ref === undefined) {
    ref = toHex(sha256(new BinaryWriter().raw(utf8('kith/vault-ref/v1')).hex(vaultId, 16).finish()))
    if (cache.size > 10_000) cache.clear()
    cache.set(vaultId, ref)
  }
  return ref
}
