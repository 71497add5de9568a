/**
 * The replicas this node holds, opened by vault id and needing no key: sync stores and serves the
 * sealed records of every vault here, locked or not, and a keyless peer has nothing else. Unlocking
 * a replica (giving it keys) is the unlock service's job.
 */
import { EventEmitter } from 'node:events'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { VaultReplica } from '../replica/VaultReplica.js'
import type { Signer } from '../replica/Envelope.js'
import type { CorruptRecordError } from '../replica/errors.js'
import type { Log } from '../log.js'

export interface ReplicaSetOptions {
  /** each vault's own view of storage */
  storageOf: (vaultId: string) => StorageAdapter
  /** the ids of every vault with records in storage */
  storedIds: () => Promise<string[]>
  /** this node's identity: signs the envelopes and snapshots it makes */
  signer: Signer & { deviceId: string }
  /** whose envelopes and snapshots are accepted (the device roster) */
  isTrustedAuthor: (author: string) => boolean
  /** for a removed device: the highest seq of its log accepted in a vault (the roster's REVOKE bound) */
  envelopeBound: (author: string, vaultId: string) => number | undefined
  snapshotEvery?: number
  /** a keyless peer's replicas drop what received snapshots cover (VaultReplicaOptions.compactReceived) */
  compactReceived?: boolean
  /** a backup peer's quota of sealed bytes per vault */
  quotaBytes?: number
  log: Log
}

export interface ReplicaSetEvents {
  /** a replica was opened (this node's own new vault, or one learnt from a peer or a grant) */
  'vault-added': [VaultReplica]
  /** items changed in an unlocked replica */
  'items-changed': [VaultReplica, string[], boolean]
  corrupt: [CorruptRecordError]
}

/** An author caught equivocating in a vault, as status reports it. */
export interface QuarantinedAuthor {
  deviceId: string
  vaultId: string
  /** ISO time this device caught it */
  since: string
}

export class ReplicaSet extends EventEmitter<ReplicaSetEvents> {
  private readonly replicas = new Map<string, VaultReplica>()
  private readonly opening = new Map<string, Promise<VaultReplica>>()

  constructor(private readonly options: ReplicaSetOptions) {
    super()
  }

  get(vaultId: string): VaultReplica | undefined {
    return this.replicas.get(vaultId)
  }
  all(): VaultReplica[] {
    return [...this.replicas.values()]
  }
  ids(): string[] {
    return [...this.replicas.keys()]
  }

  /** Opens (or returns) the replica of a vault; reads only headers and keys, so it needs no vault key. */
  async open(vaultId: string): Promise<VaultReplica> {
    const existing = this.replicas.get(vaultId)
    if (existing !== undefined) return existing
    const pending = this.opening.get(vaultId)
    if (pending !== undefined) return await pending
    const opening = this.openNew(vaultId)
    this.opening.set(vaultId, opening)
    try {
      return await opening
    } finally {
      this.opening.delete(vaultId)
    }
  }

  private async openNew(vaultId: string): Promise<VaultReplica> {
    const { storageOf, signer, isTrustedAuthor, envelopeBound, snapshotEvery, log } = this.options
    const replica = new VaultReplica(vaultId, storageOf(vaultId), signer, {
      snapshotEvery,
      isTrustedAuthor,
      envelopeBound: author => envelopeBound(author, vaultId),
      compactReceived: this.options.compactReceived,
      quotaBytes: this.options.quotaBytes
    })
    replica.on('equivocation', e => {
      log(
        'warn',
        `sync: device ${e.author.slice(0, 12)}… signed two different logs in vault ${vaultId.slice(0, 8)} (equivocation at seq ${e.proof[1].seq}); its envelopes there are quarantined (the proof is stored)`
      )
    })
    await replica.open()
    replica.on('corrupt', err => {
      log('error', `${err.name}: ${err.message}`)
      this.emit('corrupt', err)
    })
    replica.on('items-changed', (ids, local) => this.emit('items-changed', replica, ids, local))
    this.replicas.set(vaultId, replica)
    this.emit('vault-added', replica)
    return replica
  }

  /** The ids of every vault with records in storage (a keyless peer opens them all at start). */
  async storedVaultIds(): Promise<string[]> {
    return await this.options.storedIds()
  }

  /** Records that failed to open at the last unlock, by name. */
  corrupt(): CorruptRecordError[] {
    return this.all().flatMap(r => r.corrupt)
  }

  /** Authors caught equivocating, per vault (status reports them). */
  quarantined(): QuarantinedAuthor[] {
    return this.all().flatMap(r =>
      r.quarantined().map(q => ({ deviceId: q.author, vaultId: r.vaultId, since: new Date(q.since).toISOString() }))
    )
  }

  /** Forgets every replica without writing (after the records were erased). */
  forget(): void {
    for (const replica of this.replicas.values()) replica.removeAllListeners()
    this.replicas.clear()
  }

  /** Flushes, snapshots what is new and closes every replica. */
  async close(): Promise<void> {
    for (const replica of this.replicas.values()) await replica.close()
  }
}
