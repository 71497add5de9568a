/**
 * The authors of one vault caught equivocating: two heads signed by the same author that cannot
 * both be true (two hashes for one seq, or a next envelope that names another previous one). The
 * proof — both signed heads, and the author's tip when it was caught — is stored, so the
 * quarantine survives a restart and anyone can check it with the author's public key.
 *
 * fork/<author> := u32 sinceHi • u32 sinceLo (ms) • u8 hasTip • [tip: signedHead] • first: signedHead • second: signedHead
 */
import { BinaryReader } from '../codec/BinaryReader.js'
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { readSignedHead, writeSignedHead, type SignedHead } from '../codec/SignedHead.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'

export interface Equivocation {
  author: string
  /** when this device caught it */
  since: number
  /** the author's log as held when caught: nothing of it past this is stored or sent */
  tip: SignedHead | undefined
  /** the two conflicting statements, both signed by the author */
  proof: [SignedHead, SignedHead]
}

export function encodeEquivocation(e: Equivocation): Uint8Array {
  const w = new BinaryWriter().u32(Math.floor(e.since / 2 ** 32)).u32(e.since % 2 ** 32)
  w.u8(e.tip === undefined ? 0 : 1)
  if (e.tip !== undefined) writeSignedHead(w, e.tip)
  writeSignedHead(w, e.proof[0])
  return writeSignedHead(w, e.proof[1]).finish()
}

export function decodeEquivocation(author: string, bytes: Uint8Array): Equivocation {
  const r = new BinaryReader(bytes)
  const since = r.u32() * 2 ** 32 + r.u32()
  const tip = r.u8() === 1 ? readSignedHead(r) : undefined
  const proof: [SignedHead, SignedHead] = [readSignedHead(r), readSignedHead(r)]
  r.end()
  return { author, since, tip, proof }
}

export class Quarantine {
  private readonly caught = new Map<string, Equivocation>()

  /** @param storage the vault's view of the store */
  constructor(private readonly storage: StorageAdapter) {}

  /** Loads the stored proofs; one that does not parse is skipped (and returned, to be reported). */
  async load(): Promise<string[]> {
    this.caught.clear()
    const bad: string[] = []
    for await (const [key, bytes] of this.storage.entries(vaultLayout.forks)) {
      const author = key.slice(vaultLayout.forks.length)
      try {
        this.caught.set(author, decodeEquivocation(author, bytes))
      } catch {
        bad.push(key)
      }
    }
    return bad
  }

  has(author: string): boolean {
    return this.caught.has(author)
  }

  get(author: string): Equivocation | undefined {
    return this.caught.get(author)
  }

  all(): Equivocation[] {
    return [...this.caught.values()]
  }

  /** Stores the proof; false when the author was already quarantined. */
  async add(e: Equivocation): Promise<boolean> {
    if (this.caught.has(e.author)) return false
    await this.storage.put(vaultLayout.fork(e.author), encodeEquivocation(e))
    this.caught.set(e.author, e)
    return true
  }
}
