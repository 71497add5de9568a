/**
 * The commitment a roster statement makes to a vault key epoch's key: a device accepts a key for
 * (vault, epoch) only when it matches what a roster member declared, so a grant cannot slip in a
 * key of the sender's choosing. SHA-256 over a domain tag, the vault id, the epoch and the 32-byte
 * key (random, so the commitment reveals nothing of it).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { utf8 } from '../crypto/bytes.js'

export function epochCommitment(vaultId: string, epoch: number, key: Uint8Array): Uint8Array {
  return sha256(new BinaryWriter().raw(utf8('kith/epoch/v1')).hex(vaultId, 16).u32(epoch).raw(key).finish())
}
