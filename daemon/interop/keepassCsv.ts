/** Imports KeePassXC / KeePassX CSV exports (Group,Title,Username,Password,URL,Notes[,TOTP,Icon,Last Modified,Created]). */
import type { CustomField } from '../vault/Item.js'
import { CsvTable } from './csvTable.js'
import { makeItem } from './importedItem.js'
import { Progress } from './progress.js'
import { isoFromString } from './timestamps.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'keepass-csv'
const RECYCLE_BIN = 'Recycle Bin'

/** `Passwords/Work/Acme` → folder `Work/Acme` (the root group is the database, not a folder); a top-level `Recycle Bin` means trashed. */
export function keepassCsvGroup(group: string): { folder: string; trashed: boolean } {
  const parts = group.split('/').slice(1)
  if (parts[0] === RECYCLE_BIN) return { folder: parts.slice(1).join('/'), trashed: true }
  return { folder: parts.join('/'), trashed: false }
}

/** Reads a KeePassXC or KeePassX `.csv` export. */
export const importKeepassCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['group'], ['title'], ['username'], ['password']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const row of table.rows) {
    const r = table.record(row)
    const title = r.get('title')
    const label = itemLabel(title, items.length)
    const username = r.get('username')
    const fields: CustomField[] = []
    const totp = settleTotp(toOtpauth(r.get('totp'), { title, username }), fields, k => warnings.note(k, label))
    const { folder, trashed } = keepassCsvGroup(r.get('group'))
    items.push(
      makeItem({
        title,
        username,
        password: r.get('password'),
        urls: [r.get('url')],
        notes: r.get('notes'),
        totp,
        fields,
        folder,
        trashed,
        createdAt: isoFromString(r.get('created')),
        updatedAt: isoFromString(r.get('last modified'))
      })
    )
    await progress.tick()
  }
  warnings.add('KeePass CSV exports carry no custom attributes, tags, attachments or history; use KeePass XML or KDBX to keep them')
  progress.finish()
  return { items, warnings: warnings.list() }
}
