/**
 * The rows the health rules read (healthRules.ts: no password), kept for the session: the first
 * report reads every live item (or, right after an unlock, the sealed rows of the last session when
 * they were taken at exactly the state now: StoredHealthRows), later reports read again only the
 * items that changed since. A change of the open vaults (one opened, closed or renamed) reads all
 * again. `clear()` at lock and unlock forgets them.
 */
import type { HealthEntry, HealthRow } from './healthRules.js'
import { healthRow } from './healthRules.js'
import type { StoredHealthRows } from './StoredHealthRows.js'

/** What the rows are read from (ItemService); each throws LockedError while locked. */
export interface HealthRowSource {
  entries: () => HealthEntry[]
  /** one live item, or undefined */
  entryOf: (id: string) => HealthEntry | undefined
  /** the open vaults (ids and names), and with them their applied heads: a stored row set is used only at the same */
  state: () => { vaults: string; heads: string }
}

export interface ReadRows {
  /** every live item's row, in id order */
  rows: HealthRow[]
  /** keyed hash → password, of what was read that has no score yet */
  unscored: Map<string, string>
}

const byId = (a: HealthRow, b: HealthRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export class HealthRows {
  private readonly rows = new Map<string, HealthRow>()
  private ordered: HealthRow[] | undefined
  /** the open vaults the rows were read for; undefined until the first read of a session */
  private vaults: string | undefined
  private readonly dirty = new Set<string>()
  /** whether the stored record was looked at in this session */
  private storedTried = false
  /** the stored record shows the rows as they are now */
  private storedCurrent = false
  /** there may be a stored record (deleted at the session's first change) */
  private storedMayExist = true
  /** bumped by clear(): a stored record read before a lock is not used after it */
  private session = 0

  constructor(
    private readonly source: HealthRowSource,
    /** the keyed hash of a password (VerdictCache.digest) */
    private readonly digest: (password: string) => string,
    private readonly stored?: StoredHealthRows
  ) {}

  /** The rows now; `hasScore` says which keyed hashes need no estimate (and whether stored rows are complete). */
  async read(hasScore: (digest: string) => boolean): Promise<ReadRows> {
    const state = this.source.state()
    if (this.vaults === state.vaults) return this.refresh(hasScore)
    if (this.stored !== undefined && !this.storedTried) {
      this.storedTried = true
      const session = this.session
      const record = await this.stored.load().catch(() => undefined)
      if (session !== this.session) return this.read(hasScore)
      // checked again after the wait: a change in between makes the state differ
      const now = this.source.state()
      if (record !== undefined && record.state === stateKey(now) && record.rows.every(r => r.digest === '' || hasScore(r.digest))) {
        this.replaceAll(record.rows, now.vaults)
        this.storedCurrent = true
        return { rows: this.list(), unscored: new Map() }
      }
    }
    return this.readAll(hasScore)
  }

  /** An item changed (here or by sync): its row is read again, and the stored record is no longer current. */
  changed(id: string): void {
    if (this.vaults !== undefined) this.dirty.add(id)
    this.storedCurrent = false
    if (this.storedMayExist && this.stored !== undefined) {
      this.storedMayExist = false
      void this.stored.delete().catch(() => {})
    }
  }

  /**
   * Seals the rows for the next unlock (the changed items read again first), when they were read in
   * this session for the vaults open now and the stored record does not show them already.
   */
  async save(): Promise<void> {
    if (this.stored === undefined || this.storedCurrent || this.vaults === undefined) return
    const state = this.source.state()
    if (state.vaults !== this.vaults) return
    // the passwords of changed items are queued for estimates by the service's own change handler
    this.refresh(() => true)
    this.storedCurrent = true
    this.storedMayExist = true
    await this.stored.save({ state: stateKey(state), rows: this.list() })
  }

  /** At lock and unlock: forgets every row. */
  clear(): void {
    this.session++
    this.rows.clear()
    this.ordered = undefined
    this.vaults = undefined
    this.dirty.clear()
    this.storedTried = false
    this.storedCurrent = false
    this.storedMayExist = true
  }

  private readAll(hasScore: (digest: string) => boolean): ReadRows {
    const entries = this.source.entries()
    const unscored = new Map<string, string>()
    const rows = entries.map(entry => this.rowOf(entry, hasScore, unscored))
    this.replaceAll(rows, this.source.state().vaults)
    return { rows: this.list(), unscored }
  }

  private refresh(hasScore: (digest: string) => boolean): ReadRows {
    const unscored = new Map<string, string>()
    if (this.dirty.size === 0) return { rows: this.list(), unscored }
    for (const id of this.dirty) {
      const entry = this.source.entryOf(id)
      if (entry === undefined) this.rows.delete(id)
      else this.rows.set(id, this.rowOf(entry, hasScore, unscored))
    }
    this.dirty.clear()
    this.ordered = undefined
    return { rows: this.list(), unscored }
  }

  private rowOf(entry: HealthEntry, hasScore: (digest: string) => boolean, unscored: Map<string, string>): HealthRow {
    const digest = entry.password === '' ? '' : this.digest(entry.password)
    if (digest !== '' && !hasScore(digest)) unscored.set(digest, entry.password)
    return healthRow(entry, digest)
  }

  private replaceAll(rows: HealthRow[], vaults: string): void {
    this.rows.clear()
    for (const row of rows) this.rows.set(row.id, row)
    this.ordered = undefined
    this.vaults = vaults
    this.dirty.clear()
  }

  private list(): HealthRow[] {
    this.ordered ??= [...this.rows.values()].sort(byId)
    return this.ordered
  }
}

const stateKey = (state: { vaults: string; heads: string }): string => `${state.vaults}\n${state.heads}`
