/**
 * What sync needs from the layers it does not import (the composition root passes objects that fit):
 * vault replicas, the device roster, and vault-key grants.
 */
import type { SeqVector } from './messages.js'
import type { SignedHead } from '../codec/SignedHead.js'

export type { Log } from '../log.js'

/** One vault's sealed log (VaultReplica fits). */
export interface ReplicaPort {
  readonly vaultId: string
  /** author → highest seq held contiguously (snapshots included) */
  vector: () => SeqVector
  /** per author, the signed head of what is held (what VAULT carries) */
  heads: () => SignedHead[]
  /** the head held for one author (its seq and hash: what a NEXT envelope follows) */
  tip: (author: string) => SignedHead | undefined
  /** checks a peer's heads against what is held: a contradiction quarantines its author; never throws for one */
  compareHeads: (heads: SignedHead[]) => Promise<void>
  envelopesAfter: (author: string, seq: number, limit?: number) => Promise<Uint8Array[]>
  firstEnvelopeSeq: (author: string) => Promise<number | undefined>
  snapshots: () => Promise<Uint8Array[]>
  /** verifies author, signature, seq and chain, stores, applies when unlocked; false when not stored; throws RejectedEnvelopeError */
  receive: (bytes: Uint8Array) => Promise<boolean>
  /** verifies it and the heads it carries, stores it; false when not stored; throws RejectedEnvelopeError or RefusedSnapshotError */
  receiveSnapshot: (bytes: Uint8Array) => Promise<boolean>
}

export interface VaultsPort {
  get: (vaultId: string) => ReplicaPort | undefined
  all: () => ReplicaPort[]
}

/** The signed device roster as sync exchanges it. */
export interface RosterPort {
  vector: () => SeqVector
  /** records the holder of `vector` lacks, in (author, seq) order */
  recordsAfter: (vector: SeqVector) => Uint8Array[]
  receive: (records: Uint8Array[], from: string) => Promise<{ accepted: number; rejected: number }>
  isMember: (deviceId: string) => boolean
  /** Whether a device may hold a vault (per-device vaults): nothing of a vault is exchanged with a device that may not. */
  mayHold: (deviceId: string, vaultId: string) => boolean
  /** For a removed device: the highest seq of its envelopes still accepted in a vault; undefined for current devices. */
  envelopeBound: (author: string, vaultId: string) => number | undefined
}

/** Vault keys sealed to devices, signed by the device that sealed them. */
export interface GrantsPort {
  /** the signed grants this device holds that are addressed to `deviceId` */
  grantsFor: (deviceId: string) => Promise<Uint8Array[]>
  receive: (grants: Uint8Array[], from: string) => Promise<void>
}

/** Attachments' sealed chunks, kept without a key (replica/BlobStore.ts fits). */
export interface BlobStorePort {
  count: (vaultId: string, blobId: string) => Promise<number | undefined>
  setCount: (vaultId: string, blobId: string, count: number) => Promise<void>
  /** the sealed chunks at these indices, in one read (undefined where none is held) */
  chunks: (vaultId: string, blobId: string, indices: number[]) => Promise<Array<Uint8Array | undefined>>
  /** stores the chunks not held yet; answers how many were new; throws on a malformed chunk or a full quota */
  putChunks: (vaultId: string, blobId: string, chunks: Array<[number, Uint8Array]>) => Promise<number>
  missing: (vaultId: string, blobId: string, count: number) => Promise<number[]>
  remove: (vaultId: string, blobId: string) => Promise<void>
}
