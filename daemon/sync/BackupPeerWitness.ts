/**
 * Notices a backup peer that keeps less than it was given (issue 13: "a compromised backup peer can
 * withhold or delay data; each device notices one that is behind its own signed heads"). Every
 * `everyMs` this device asks each connected backup peer which heads it holds (a VAULT with a reply
 * wanted); the peer answers with heads signed by their authors, so it cannot claim more than it
 * has. A peer whose answer still lacks envelopes of this device's own log that were written a
 * whole interval before is *behind*: `kith status --json` says so per vault (`sync.backupPeers`),
 * and the log says it once. A peer that withholds cannot be told apart from one that lost its disk;
 * either way the devices still hold everything.
 */
import type { Log } from '../log.js'
import type { SyncSession } from './SyncSession.js'

export interface BehindVault {
  vaultId: string
  /** the last seq of this device's own log the backup peer says it holds */
  held: number
  /** what this device had written one interval before that answer */
  written: number
}

export interface BackupPeerWitnessOptions {
  /** the live sessions with backup peers */
  sessions: () => SyncSession[]
  /** this device's own seq in a vault now */
  ownSeq: (vaultId: string) => number
  everyMs?: number
  log: Log
}

const DEFAULT_EVERY_MS = 60_000

type Seqs = Map<string, { seq: number; at: number }>

export class BackupPeerWitness {
  /** peer → this device's own seq per vault at the last two probes */
  private readonly probed = new Map<string, { older: Seqs; latest: Seqs }>()
  private readonly warned = new Set<string>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: BackupPeerWitnessOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.probe(), this.options.everyMs ?? DEFAULT_EVERY_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One round: judge the answers to the last probe, then probe again. */
  probe(): void {
    const live = new Set<string>()
    for (const session of this.options.sessions()) {
      live.add(session.peer)
      for (const { vaultId } of this.status(session)) {
        const key = `${session.peer}/${vaultId}`
        if (this.warned.has(key)) continue
        this.warned.add(key)
        this.options.log(
          'warn',
          `sync: backup peer ${session.peer.slice(0, 12)}… is behind this device's own changes in vault ${vaultId.slice(0, 8)}… (it withholds them or lost them; every device still holds them)`
        )
      }
      const latest: Seqs = new Map()
      for (const vaultId of session.claimedOwn.keys()) latest.set(vaultId, { seq: this.options.ownSeq(vaultId), at: Date.now() })
      this.probed.set(session.peer, { older: this.probed.get(session.peer)?.latest ?? new Map(), latest })
      session.probe()
    }
    for (const peer of this.probed.keys()) if (!live.has(peer)) this.probed.delete(peer)
  }

  /**
   * The vaults in which a backup peer is behind: its answer to the latest probe lacks envelopes of
   * this device's own log written before the probe one interval earlier (time enough to take them).
   */
  status(session: SyncSession): BehindVault[] {
    const probed = this.probed.get(session.peer)
    if (probed === undefined) return []
    const out: BehindVault[] = []
    for (const [vaultId, sent] of probed.older) {
      const claim = session.claimedOwn.get(vaultId)
      const asked = probed.latest.get(vaultId)
      if (claim === undefined || asked === undefined || claim.at < asked.at) continue
      if (claim.seq < sent.seq) out.push({ vaultId, held: claim.seq, written: sent.seq })
    }
    return out
  }
}
