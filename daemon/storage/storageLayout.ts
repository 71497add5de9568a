/**
 * The storage layout: every key the daemon writes, in one place (docs/storage-layout.md is its
 * prose). Each part gets a PrefixedStorage view of its own prefix and names its records with the
 * keys below, which are relative to that prefix; the bytes on disk are `prefix + key`.
 *
 * Numbers inside keys are fixed-width lower-case hex, so LevelDB's byte order is numeric order.
 * Nothing in a key is secret: ids, epochs and sequence numbers only.
 */
import type { StorageAdapter } from './StorageAdapter.js'
import { PrefixedStorage } from './PrefixedStorage.js'
import { StorageKeyError } from './errors.js'

const hex8 = (n: number): string => n.toString(16).padStart(8, '0')

/** keyring/ (Keyring): the device record, unlock slots, vault-key grants, epochs this device minted. */
export const keyringLayout = {
  prefix: 'keyring/',
  /** u8(1) • ed25519 public(32) • x25519 sealing public(32) */
  device: 'device',
  /** an unlock slot (keyring/UnlockSlot.ts); the password slot is `slot/password` */
  slot: (name: string): string => `slot/${name}`,
  /** an unlock method's public record (keyring/UnlockMethods.ts): kind, name, times, public data */
  method: (id: string): string => `method/${id}`,
  /** a TOTP gate's record (keyring/TotpGate.ts): its secret sealed under a key derived from the root key */
  totp: (id: string): string => `totp/${id}`,
  /** JSON log of unlock-method changes (keyring/UnlockMethodLog.ts): what and when, no secret */
  methodLog: 'method-log',
  /** every grant; `grants(vaultId)` those of one vault */
  grants: (vaultId?: string): string => (vaultId === undefined ? 'grant/' : `grant/${vaultId}/`),
  /** the vault key of one epoch, sealed to one device's sealing key */
  grant: (vaultId: string, epoch: number, deviceId: string): string => `grant/${vaultId}/${hex8(epoch)}/${deviceId}`,
  parseGrant(key: string): { vaultId: string; epoch: number; deviceId: string } {
    const [kind, vaultId, epoch, deviceId, ...rest] = key.split('/')
    if (kind !== 'grant' || vaultId === undefined || epoch === undefined || deviceId === undefined || rest.length > 0) {
      throw new StorageKeyError(key, 'grant/<vaultId>/<epoch:8hex>/<deviceId>')
    }
    return { vaultId, epoch: parseInt(epoch, 16), deviceId }
  },
  /** empty: this device made that epoch of the vault by rotating its key */
  minted: (vaultId: string, epoch: number): string => `minted/${vaultId}/${hex8(epoch)}`
} as const

const VAULTS_PREFIX = 'vault/'

/** vault/<vaultId>/ (VaultReplica): a vault's sealed log. */
export const vaultLayout = {
  prefix(vaultId: string): string {
    if (vaultId === '' || vaultId.includes('/')) throw new StorageKeyError(vaultId, 'a vault id without "/"')
    return `${VAULTS_PREFIX}${vaultId}/`
  },
  /** every envelope, or those of one author */
  envelopes: (author?: string): string => (author === undefined ? 'env/' : `env/${author}/`),
  /** a sealed envelope (the same bytes that go on the wire) */
  envelope: (author: string, seq: number): string => `env/${author}/${hex8(seq)}`,
  /** author and seq of an envelope key (seq is NaN for a key that is not one) */
  parseEnvelope(key: string): { author: string; seq: number } {
    const [, author, seq] = key.split('/')
    return { author: author ?? '', seq: parseInt(seq ?? 'x', 16) }
  },
  snapshots: 'snap/',
  /** the newest sealed snapshot made by `author` */
  snapshot: (author: string): string => `snap/${author}`,
  /** a keyless replica's note of that snapshot's size and heads, read instead of it (replica/snapshotInfo.ts) */
  snapshotInfo: (author: string): string => `snapinfo/${author}`,
  /** a backup peer's count of the sealed bytes under env/ and snap/ (VaultQuota): u32 high • u32 low */
  usage: 'usage',
  /** u8 format of the records under env/ and snap/ (2: chained); absent before the chain */
  format: 'format',
  /** format-1 records (before the chain), moved aside at the first open and folded at the next unlock */
  legacy: 'legacy/',
  /** every quarantined author's proof, or that of one author: two conflicting heads it signed */
  forks: 'fork/',
  fork: (author: string): string => `fork/${author}`,
  /** a sealed picture of the vault's list as of the last lock, for a fast unlock (ListImage.ts); never synced */
  listImage: 'image'
} as const

/**
 * blob/<vaultId>/<blobId>/ (BlobStore): an attachment's sealed chunks, outside the vault's log.
 * Nothing here is readable without the file's key, which only the vault's document holds.
 */
export const blobLayout = {
  prefix: 'blob/',
  /** every blob of a vault */
  vault: (vaultId: string): string => {
    if (vaultId === '' || vaultId.includes('/')) throw new StorageKeyError(vaultId, 'a vault id without "/"')
    return `${vaultId}/`
  },
  /** every key of one blob */
  blob: (vaultId: string, blobId: string): string => {
    if (blobId === '' || blobId.includes('/')) throw new StorageKeyError(blobId, 'a blob id without "/"')
    return `${blobLayout.vault(vaultId)}${blobId}/`
  },
  /** u32 the number of chunks, written once the last chunk is known (a complete upload or fetch header) */
  count: (vaultId: string, blobId: string): string => `${blobLayout.blob(vaultId, blobId)}n`,
  /** one sealed chunk: nonce(24) • ciphertext (replica/blobChunk.ts) */
  chunk: (vaultId: string, blobId: string, index: number): string => `${blobLayout.blob(vaultId, blobId)}c${hex8(index)}`,
  /** the index of a chunk key ('…/c0000001f' → 31), NaN for any other key */
  parseChunk: (key: string): number => {
    const last = key.slice(key.lastIndexOf('/') + 1)
    return last.startsWith('c') && last.length === 9 ? parseInt(last.slice(1), 16) : NaN
  }
} as const

/** roster/ (Roster): each device's signed log of roster records. */
export const rosterLayout = {
  prefix: 'roster/',
  records: '',
  record: (author: string, seq: number): string => `${author}/${hex8(seq)}`
} as const

/** sync/peer/ (PeerBook): JSON {"addrs": [...], "heard": [...], "lastSeen": ms} per known device. */
export const peerBookLayout = {
  prefix: 'sync/peer/',
  peers: '',
  peer: (deviceId: string): string => deviceId
} as const

/** meta/ (UnlockThrottle, SettingsStore): small JSON records, no secret. */
export const metaLayout = {
  prefix: 'meta/',
  unlockThrottle: 'unlock-throttle',
  /** JSON {"autoLockMinutes": n} (SettingsStore), no secret */
  settings: 'settings',
  /** the health report's password scores, sealed under a key of the root key (HealthService): keyed hashes and 0–4 scores */
  healthScores: 'health-scores',
  /** the health report's rows (no password: keyed hashes, titles, sites) bound to the vaults' heads, sealed like the scores (HealthRows) */
  healthRows: 'health-rows'
} as const

/** network/ (the device's network part): JSON array of the multiaddrs bound at the last start. */
export const networkLayout = {
  prefix: 'network/',
  bound: 'bound'
} as const

/** Each part's view of the root store. */
export interface StorageViews {
  keyring: PrefixedStorage
  meta: PrefixedStorage
  roster: PrefixedStorage
  peerBook: PrefixedStorage
  network: PrefixedStorage
  /** attachments' sealed chunks (BlobStore) */
  blobs: PrefixedStorage
  vault: (vaultId: string) => PrefixedStorage
  /** the ids of every vault with records (a keyless peer opens them all) */
  vaultIds: () => Promise<string[]>
}

export function storageViews(root: StorageAdapter): StorageViews {
  return {
    keyring: new PrefixedStorage(root, keyringLayout.prefix),
    meta: new PrefixedStorage(root, metaLayout.prefix),
    roster: new PrefixedStorage(root, rosterLayout.prefix),
    peerBook: new PrefixedStorage(root, peerBookLayout.prefix),
    network: new PrefixedStorage(root, networkLayout.prefix),
    blobs: new PrefixedStorage(root, blobLayout.prefix),
    vault: vaultId => new PrefixedStorage(root, vaultLayout.prefix(vaultId)),
    vaultIds: async () => {
      const ids = new Set<string>()
      for await (const key of new PrefixedStorage(root, VAULTS_PREFIX).keys('')) ids.add(key.slice(0, key.indexOf('/')))
      ids.delete('')
      return [...ids]
    }
  }
}
