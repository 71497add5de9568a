/**
 * Storage key shapes of a vault's sealed log (documented in docs/storage-layout.md):
 *   vault/<vaultId>/env/<author>/<seq:8hex>   a sealed envelope
 *   vault/<vaultId>/snap/<author>             the newest sealed snapshot made by <author>
 * Fixed-width hex keeps LevelDB's byte order equal to seq order.
 */
export const vaultPrefix = (vaultId: string): string => `vault/${vaultId}/`
export const envPrefix = (vaultId: string, author?: string): string => `vault/${vaultId}/env/${author === undefined ? '' : author + '/'}`
export const envKey = (vaultId: string, author: string, seq: number): string => `${envPrefix(vaultId, author)}${seq.toString(16).padStart(8, '0')}`
export const snapPrefix = (vaultId: string): string => `vault/${vaultId}/snap/`
export const snapKey = (vaultId: string, author: string): string => `${snapPrefix(vaultId)}${author}`

/** Parses author and seq out of an envelope key. */
export function parseEnvKey (key: string): { author: string, seq: number } {
  const parts = key.split('/')
  return { author: parts[3] ?? '', seq: parseInt(parts[4] ?? 'x', 16) }
}
