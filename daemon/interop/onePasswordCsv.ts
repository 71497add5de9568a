/** Imports 1Password CSV exports (1Password 8: Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes). */
import type { CustomField } from '../vault/Item.js'
import { CsvTable } from './csvTable.js'
import { field, makeItem } from './importedItem.js'
import { Progress } from './progress.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = '1password-csv'

/** Column names (lower case) read into item fields; any other non-empty column becomes a custom field. */
const KNOWN = new Set([
  'title',
  'url',
  'urls',
  'website',
  'username',
  'password',
  'otpauth',
  'one-time password',
  'favorite',
  'archived',
  'tags',
  'notes',
  'notesplain'
])

/** Reads a 1Password `.csv` export. Archived items go to the trash, since Kith has no archive. */
export const importOnePasswordCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['title'], ['username'], ['password']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  const header = table.rows.length > 0 ? table.columns : []
  for (const row of table.rows) {
    const r = table.record(row)
    const title = r.get('title')
    const label = itemLabel(title, items.length)
    const username = r.get('username')
    const fields: CustomField[] = header
      .filter(col => !KNOWN.has(col.toLowerCase()) && r.get(col) !== '')
      .map(col => field(col, r.get(col)))
    const archived = r.get('archived').trim().toLowerCase() === 'true'
    if (archived) warnings.note('archived items were put in the trash (Kith has no archive)', label)
    const totp = settleTotp(toOtpauth(r.get('otpauth', 'one-time password'), { title, username }), fields, k => warnings.note(k, label))
    items.push(
      makeItem({
        title,
        username,
        password: r.get('password'),
        urls: r.get('url', 'urls', 'website').split(/\r?\n/),
        notes: r.get('notes', 'notesPlain'),
        totp,
        fields,
        tags: r.get('tags').split(','),
        favorite: r.get('favorite').trim().toLowerCase() === 'true',
        trashed: archived
      })
    )
    await progress.tick()
  }
  progress.finish()
  return { items, warnings: warnings.list() }
}
