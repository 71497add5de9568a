/**
 * The rules that keep each author's log in a vault its own: an envelope must follow the one held
 * before it (its prev hash), a snapshot may advance an author only to a head that author signed
 * (and a removed device only to its bound), and two heads an author signed that cannot both hold
 * (equivocation) quarantine it here, with the proof stored (Quarantine.ts).
 */
import { NO_PREVIOUS, sameHash, type SignedHead } from '../codec/SignedHead.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import { decodeEnvelope, headOf, verifyHead, type Envelope } from './Envelope.js'
import type { HeadVector } from './HeadVector.js'
import { Quarantine, type Equivocation } from './Quarantine.js'
import { RefusedSnapshotError, RejectedEnvelopeError } from './errors.js'
import { toError } from '../toError.js'

export interface ChainGuardOptions {
  vaultId: string
  storage: StorageAdapter
  /** what the replica holds, per author */
  held: HeadVector
  isTrustedAuthor: (author: string) => boolean
  envelopeBound: (author: string) => number | undefined
  /** an author was caught (once per author) */
  onCaught: (e: Equivocation) => void
}

const short = (id: string): string => `${id.slice(0, 12)}…`

export class ChainGuard {
  private readonly quarantine: Quarantine

  constructor(private readonly options: ChainGuardOptions) {
    this.quarantine = new Quarantine(options.storage)
  }

  /** Loads the stored proofs and holds each quarantined author where it was caught; returns unreadable proof keys. */
  async load(): Promise<string[]> {
    const bad = await this.quarantine.load()
    for (const e of this.quarantine.all()) this.options.held.reset(e.author, e.tip)
    return bad
  }

  isQuarantined(author: string): boolean {
    return this.quarantine.has(author)
  }

  quarantined(): Array<{ author: string; since: number }> {
    return this.quarantine.all().map(e => ({ author: e.author, since: e.since }))
  }

  /**
   * Decodes a received envelope and checks what needs no key and no held state: its vault, that
   * its author is on the roster, its format (chained) and its signature. Throws RejectedEnvelopeError.
   */
  verifyEnvelope(bytes: Uint8Array): { env: Envelope; head: SignedHead } {
    let env: Envelope
    try {
      env = decodeEnvelope(bytes)
    } catch (err) {
      throw new RejectedEnvelopeError(`malformed: ${toError(err).message}`)
    }
    if (env.vaultId !== this.options.vaultId) throw new RejectedEnvelopeError('for another vault')
    if (!this.options.isTrustedAuthor(env.author))
      throw new RejectedEnvelopeError(`author ${short(env.author)} is not on the device roster`)
    const head = headOf(env)
    if (head === undefined) throw new RejectedEnvelopeError('in the format from before the chain (format 1)')
    if (!verifyHead(env.vaultId, head)) throw new RejectedEnvelopeError('bad signature')
    return { env, head }
  }

  /**
   * Where a received envelope's verified head falls: 'next' (it follows what is held: store it),
   * or 'held' (a repeat; or it contradicts what is held, and its author is now quarantined).
   * Throws RejectedEnvelopeError for one that skips ahead, or a first one that names a previous one.
   */
  async place(head: SignedHead): Promise<'next' | 'held'> {
    const { held } = this.options
    if (this.quarantine.has(head.author)) return 'held'
    const have = held.seq(head.author)
    if (head.seq <= have) {
      const mine = await this.headAt(head.author, head.seq)
      if (mine !== undefined && !sameHash(mine.hash, head.hash)) await this.caught(mine, head)
      return 'held'
    }
    if (head.seq !== have + 1) throw new RejectedEnvelopeError(`seq ${head.seq} skips ahead of ${have} for author ${short(head.author)}`)
    const tip = held.head(head.author)
    if (sameHash(head.prevHash, tip?.hash ?? NO_PREVIOUS)) return 'next'
    if (tip === undefined) throw new RejectedEnvelopeError(`the first envelope of ${short(head.author)} names a previous one`)
    await this.caught(tip, head)
    return 'held'
  }

  /**
   * Compares heads from a peer (its VAULT, or a snapshot's) with what is held: a well-signed one
   * that contradicts a held head quarantines its author. Signatures are checked only where a head
   * disagrees, so an honest peer's VAULT costs no verification.
   */
  async compare(heads: SignedHead[]): Promise<void> {
    const { held } = this.options
    for (const head of heads) {
      if (this.quarantine.has(head.author) || !this.options.isTrustedAuthor(head.author)) continue
      const have = held.seq(head.author)
      let mine: SignedHead | undefined
      if (head.seq <= have) {
        mine = await this.headAt(head.author, head.seq)
        if (mine === undefined || sameHash(mine.hash, head.hash)) continue
      } else if (head.seq === have + 1 && have > 0) {
        mine = held.head(head.author)
        if (mine === undefined || sameHash(mine.hash, head.prevHash)) continue
      } else {
        continue
      }
      if (verifyHead(this.options.vaultId, head)) await this.caught(mine, head)
    }
  }

  /**
   * A snapshot by `author` may advance each author only to a head that author signed, a removed
   * device only up to its bound; a removed device's own snapshot must state how far its own log
   * goes. Throws RefusedSnapshotError otherwise.
   */
  judgeSnapshot(author: string, heads: SignedHead[]): void {
    const { isTrustedAuthor, envelopeBound, vaultId } = this.options
    if (envelopeBound(author) !== undefined && !heads.some(h => h.author === author))
      throw new RefusedSnapshotError(`removed device ${short(author)} does not state how far its own log goes`)
    for (const head of heads) {
      if (!isTrustedAuthor(head.author))
        throw new RefusedSnapshotError(`it covers ${short(head.author)}, which is not on the device roster`)
      const bound = envelopeBound(head.author)
      if (bound !== undefined && head.seq > bound)
        throw new RefusedSnapshotError(`it carries removed device ${short(head.author)} to seq ${head.seq}, past its bound ${bound}`)
      if (!verifyHead(vaultId, head))
        throw new RefusedSnapshotError(`its entry for ${short(head.author)} (seq ${head.seq}) is not signed by that device`)
    }
  }

  /** Whether this device's own snapshot may claim `head`: not for a quarantined author, nor a removed one past its bound. */
  claimable(head: SignedHead): boolean {
    const bound = this.options.envelopeBound(head.author)
    return !this.quarantine.has(head.author) && (bound === undefined || head.seq <= bound)
  }

  /** The head held for `author` at `seq`: the tip, or the stored envelope's (undefined once compacted away). */
  private async headAt(author: string, seq: number): Promise<SignedHead | undefined> {
    const tip = this.options.held.head(author)
    if (tip?.seq === seq) return tip
    const bytes = await this.options.storage.get(vaultLayout.envelope(author, seq))
    if (bytes === undefined) return undefined
    try {
      return headOf(decodeEnvelope(bytes))
    } catch {
      return undefined
    }
  }

  /** Two verified heads by one author that cannot both hold: quarantines it, with the proof stored. */
  private async caught(mine: SignedHead, other: SignedHead): Promise<void> {
    const e: Equivocation = { author: mine.author, since: Date.now(), tip: this.options.held.head(mine.author), proof: [mine, other] }
    if (await this.quarantine.add(e)) this.options.onCaught(e)
  }
}
