/** Imports LastPass CSV exports: sites, `http://sn` secure notes, `\`-nested groupings, favourites and TOTP secrets. */
import type { CustomField } from '../vault/Item.js'
import { CsvTable } from './csvTable.js'
import { makeItem, titleFromUrl } from './importedItem.js'
import { Progress } from './progress.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'lastpass-csv'
const SECURE_NOTE_URL = 'http://sn'

/** LastPass grouping `Emails\WS` → folder `Emails/WS`; `(none)` → ''. */
export function lastpassFolder(grouping: string): string {
  const g = grouping.trim()
  return g === '(none)' ? '' : g.replace(/\\/g, '/')
}

/** Reads a LastPass `.csv` export. Typed secure notes (`NoteType:…`) keep their whole text as notes. */
export const importLastpassCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['url'], ['username'], ['password'], ['extra'], ['name'], ['grouping']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const row of table.rows) {
    const r = table.record(row)
    const url = r.get('url').trim()
    const isNote = url === SECURE_NOTE_URL
    const name = r.get('name')
    const title = name !== '' ? name : isNote ? '' : titleFromUrl(url)
    const label = itemLabel(title, items.length)
    const extra = r.get('extra')
    const noteType = isNote ? /^NoteType:(.*)$/m.exec(extra)?.[1]?.trim() : undefined
    if (noteType !== undefined)
      warnings.note(
        'typed secure notes (NoteType:…) were kept as secure notes with their text (their fields are not read as a card or identity)',
        `${label} (${noteType})`
      )
    const username = r.get('username')
    const fields: CustomField[] = []
    const totp = settleTotp(toOtpauth(r.get('totp'), { title, username }), fields, k => warnings.note(k, label))
    items.push(
      makeItem({
        title,
        username,
        password: r.get('password'),
        urls: isNote ? [] : [url],
        notes: extra,
        totp,
        fields,
        folder: lastpassFolder(r.get('grouping')),
        favorite: r.get('fav').trim() === '1',
        type: isNote ? 'note' : 'login'
      })
    )
    await progress.tick()
  }
  progress.finish()
  return { items, warnings: warnings.list() }
}
