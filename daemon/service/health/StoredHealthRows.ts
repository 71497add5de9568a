/**
 * The health report's rows kept between unlocks, so that the first report after an unlock needs
 * neither the vaults' documents built nor every password hashed again: one record in
 * `meta/health-rows`, the rows (healthRules.ts: item id, vault, title, keyed hash of the password,
 * sites, lower-cased username, TOTP flags, when the password was set — never a password) and the
 * state they were read at (the open vaults and their applied heads), sealed with XChaCha20-Poly1305
 * under a key derived from the root key (Keyring.localKey). A reader uses them only at exactly that
 * state; any item change deletes the record (HealthRows), so a purged item's title does not stay
 * in it. A damaged or foreign record is deleted and the rows are read from the items again.
 */
import { openPacked, sealPacked } from '../../crypto/aead.js'
import type { StorageAdapter } from '../../storage/StorageAdapter.js'
import { metaLayout } from '../../storage/storageLayout.js'
import type { HealthRow } from './healthRules.js'

const AAD = new TextEncoder().encode('kith-health-rows/1')

export interface HealthRowsRecord {
  /** the state the rows were read at (ItemService.healthState) */
  state: string
  rows: HealthRow[]
}

const isString = (v: unknown): v is string => typeof v === 'string'

function isRow(v: unknown): v is HealthRow {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (
    isString(r.id) &&
    isString(r.vault) &&
    isString(r.title) &&
    isString(r.digest) &&
    Array.isArray(r.sites) &&
    r.sites.every(isString) &&
    isString(r.account) &&
    typeof r.hasTotp === 'boolean' &&
    typeof r.otpInField === 'boolean' &&
    (r.changedAt === null || isString(r.changedAt))
  )
}

export class StoredHealthRows {
  constructor(
    /** the meta/ view */
    private readonly storage: StorageAdapter,
    /** the sealing key (a fresh copy each call; zeroed after use) */
    private readonly key: () => Uint8Array
  ) {}

  async load(): Promise<HealthRowsRecord | undefined> {
    const sealed = await this.storage.get(metaLayout.healthRows)
    if (sealed === undefined) return undefined
    const key = this.key()
    try {
      const parsed = JSON.parse(new TextDecoder().decode(openPacked(key, sealed, AAD))) as { state?: unknown; rows?: unknown }
      if (!isString(parsed.state) || !Array.isArray(parsed.rows) || !parsed.rows.every(isRow)) throw new TypeError('not health rows')
      return { state: parsed.state, rows: parsed.rows }
    } catch {
      await this.storage.del(metaLayout.healthRows)
      return undefined
    } finally {
      key.fill(0)
    }
  }

  async save(record: HealthRowsRecord): Promise<void> {
    const key = this.key()
    try {
      await this.storage.put(metaLayout.healthRows, sealPacked(key, new TextEncoder().encode(JSON.stringify(record)), AAD))
    } finally {
      key.fill(0)
    }
  }

  async delete(): Promise<void> {
    await this.storage.del(metaLayout.healthRows)
  }
}
