/**
 * The health report's scores kept between unlocks, so an unlock does not estimate every password
 * again: one record in `meta/health-scores`, the list of [keyed hash, score] pairs sealed with
 * XChaCha20-Poly1305 under a key derived from the root key (Keyring.localKey). Only hashes of the
 * passwords in use when it was written are kept, so a changed or purged password's hash goes at
 * the next write. A stolen disk holds a sealed blob; one who unlocks the device learns scores it
 * could compute anyway. A damaged or foreign record is deleted and the scores are estimated again.
 */
import { openPacked, sealPacked } from '../../crypto/aead.js'
import type { StorageAdapter } from '../../storage/StorageAdapter.js'
import { metaLayout } from '../../storage/storageLayout.js'
import type { StrengthScore } from './StrengthEstimator.js'

const AAD = new TextEncoder().encode('kith-health-scores/1')

export class StoredScores {
  constructor(
    /** the meta/ view */
    private readonly storage: StorageAdapter,
    /** the sealing key (a fresh copy each call; zeroed after use) */
    private readonly key: () => Uint8Array
  ) {}

  async load(): Promise<Array<[string, StrengthScore]>> {
    const sealed = await this.storage.get(metaLayout.healthScores)
    if (sealed === undefined) return []
    const key = this.key()
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(openPacked(key, sealed, AAD)))
      if (!Array.isArray(parsed)) throw new TypeError('not a list')
      return parsed.filter(
        (e): e is [string, StrengthScore] =>
          Array.isArray(e) && typeof e[0] === 'string' && Number.isInteger(e[1]) && e[1] >= 0 && e[1] <= 4
      )
    } catch {
      await this.storage.del(metaLayout.healthScores)
      return []
    } finally {
      key.fill(0)
    }
  }

  async save(entries: Array<[string, StrengthScore]>): Promise<void> {
    const key = this.key()
    try {
      await this.storage.put(metaLayout.healthScores, sealPacked(key, new TextEncoder().encode(JSON.stringify(entries)), AAD))
    } finally {
      key.fill(0)
    }
  }
}
