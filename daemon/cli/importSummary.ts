/** The one line `kith import` prints when it is done: how many items went where, what was skipped, how many notes. */
import { countOf } from './countOf.js'

export interface ImportResult {
  imported: number
  skipped: number
  vault: string | null
  createdVault?: boolean
  vaults: Array<{ name: string; imported: number; created: boolean }>
  warnings: string[]
  /** files stored on the imported items */
  attachments?: number
}

export function importSummary(res: ImportResult): string {
  const vaults = res.vaults
  const where =
    vaults.length > 1
      ? `${vaults.length} vaults (${vaults.map(v => `${v.name} ${v.imported}${v.created ? ', new' : ''}`).join('; ')})`
      : `${String(res.vault)}${res.createdVault === true ? ' (a new vault)' : ''}`
  return (
    `imported ${countOf(res.imported, 'item')}${(res.attachments ?? 0) > 0 ? ` with ${countOf(res.attachments ?? 0, 'file')}` : ''} into ${where}; skipped ${res.skipped} already present` +
    (res.warnings.length > 0 ? `; ${countOf(res.warnings.length, 'note')} above` : '')
  )
}
