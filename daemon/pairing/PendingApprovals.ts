/**
 * Joiners that proved an invitation's secret and wait for a person on this device to approve them.
 * Nothing is sent to a waiting joiner (no roster record, no vault key) until `approve`; `deny` refuses
 * it. Each entry leaves the list when it is decided, when its invitation expires or when the joiner
 * disconnects. Emits 'pairing-pending' (a joiner waits) and 'pairing-resolved' (it left the list).
 */
import { EventEmitter } from 'node:events'
import { DeviceRequestError, PendingJoinerNotFoundError } from './errors.js'

/** A waiting joiner as people and scripts see it (`kith pair pending --json`). */
export interface PendingJoiner {
  id: string
  name: string
  /** the verification words; the joining device shows the same ones */
  words: string[]
  /** ISO 8601: the invitation's expiry, when the joiner is refused if nobody decided */
  expiresAt: string
}

export type PendingOutcome = 'approved' | 'denied' | 'expired' | 'gone'

/** What the pairing exchange does once a person decides. */
export interface PendingActions {
  /** sends the joiner its welcome; throws (and the joiner keeps waiting) when it cannot, e.g. locked */
  approve: () => Promise<void>
  deny: () => Promise<void>
}

interface Entry {
  view: PendingJoiner
  actions: PendingActions
  deciding: boolean
}

export class PendingApprovals extends EventEmitter {
  private readonly waiting = new Map<string, Entry>()

  has(id: string): boolean {
    return this.waiting.has(id)
  }

  list(): PendingJoiner[] {
    return [...this.waiting.values()].map(e => ({ ...e.view, words: [...e.view.words] }))
  }

  add(view: PendingJoiner, actions: PendingActions): void {
    if (this.waiting.has(view.id)) throw new DeviceRequestError('this device is already waiting for approval')
    this.waiting.set(view.id, { view, actions, deciding: false })
    this.emit('pairing-pending', { id: view.id, name: view.name, words: view.words, expiresAt: view.expiresAt })
  }

  /** Takes an entry off the list (decided, expired or gone); idempotent. */
  remove(id: string, outcome: PendingOutcome): void {
    if (this.waiting.delete(id)) this.emit('pairing-resolved', { id, outcome })
  }

  /** A waiting joiner by full id or unique id prefix (6+ characters). */
  resolve(query: string): string {
    const q = query.trim().toLowerCase()
    if (this.waiting.has(q)) return q
    const matches = q.length >= 6 ? [...this.waiting.keys()].filter(id => id.startsWith(q)) : []
    if (matches.length === 1) return matches[0] as string
    if (matches.length > 1) throw new DeviceRequestError(`${JSON.stringify(query)} matches several waiting devices; give more of the id`)
    throw new PendingJoinerNotFoundError(query)
  }

  async approve(query: string): Promise<PendingJoiner> {
    return await this.decide(query, 'approve')
  }

  async deny(query: string): Promise<PendingJoiner> {
    return await this.decide(query, 'deny')
  }

  private async decide(query: string, how: keyof PendingActions): Promise<PendingJoiner> {
    const id = this.resolve(query)
    const entry = this.waiting.get(id) as Entry
    if (entry.deciding) throw new DeviceRequestError('this device is being decided on already')
    entry.deciding = true
    try {
      await entry.actions[how]()
    } finally {
      entry.deciding = false
    }
    this.remove(id, how === 'approve' ? 'approved' : 'denied')
    return entry.view
  }
}
