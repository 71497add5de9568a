/**
 * A short record of changes to this device's unlock methods — what changed and when, never a
 * secret — so a person can see that a passkey, an authenticator or a recovery key was added or
 * removed, or the password changed, without their knowing. The newest MAX_ENTRIES are kept.
 *
 * keyring/method-log JSON {v: 1, entries: [{at, action, kind, id, name}]}, oldest first
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { keyringLayout } from '../storage/storageLayout.js'
import { utf8 } from '../crypto/bytes.js'

export const MAX_ENTRIES = 200
const VERSION = 1

export type UnlockMethodAction = 'added' | 'removed' | 'renamed' | 'password-changed' | 'password-set-after-recovery'

export interface UnlockMethodLogEntry {
  /** ISO time */
  at: string
  action: UnlockMethodAction
  /** 'password' | 'passkey' | 'password+passkey' | 'totp' | 'recovery-key' */
  kind: string
  id: string
  name: string
}

export class UnlockMethodLog {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly storage: StorageAdapter,
    private readonly now: () => number = Date.now
  ) {}

  async entries(): Promise<UnlockMethodLogEntry[]> {
    const raw = await this.storage.get(keyringLayout.methodLog)
    if (raw === undefined) return []
    try {
      const parsed = JSON.parse(new TextDecoder().decode(raw)) as { v?: number; entries?: unknown }
      if (parsed.v !== VERSION || !Array.isArray(parsed.entries)) return []
      return parsed.entries.filter(
        (e): e is UnlockMethodLogEntry =>
          e !== null &&
          typeof e === 'object' &&
          typeof (e as UnlockMethodLogEntry).at === 'string' &&
          typeof (e as UnlockMethodLogEntry).action === 'string'
      )
    } catch {
      return []
    }
  }

  /** Appends entries (one write at a time, so two changes at once both stay). */
  async record(...changes: Array<Omit<UnlockMethodLogEntry, 'at'>>): Promise<void> {
    if (changes.length === 0) return
    const at = new Date(this.now()).toISOString()
    const next = this.queue.then(async () => {
      const entries = [...(await this.entries()), ...changes.map(c => ({ at, ...c }))].slice(-MAX_ENTRIES)
      await this.storage.put(keyringLayout.methodLog, utf8(JSON.stringify({ v: VERSION, entries })))
    })
    this.queue = next.catch(() => {})
    await next
  }
}
