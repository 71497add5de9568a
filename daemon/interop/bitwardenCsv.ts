/** Imports Bitwarden CSV exports (personal: folder/favorite; organisation: collections), logins and secure notes. */
import type { CustomField } from '../vault/Item.js'
import { CsvTable } from './csvTable.js'
import { makeItem } from './importedItem.js'
import { Progress } from './progress.js'
import { tagsFromFields } from './tagsField.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'bitwarden-csv'

/**
 * The `fields` cell: one `name: value` per line. A line without `: ` continues the previous field's value
 * (a multi-line value), or is a field with an empty value when it comes first.
 */
export function parseFieldsCell(cell: string): CustomField[] {
  const out: CustomField[] = []
  if (cell.trim() === '') return out
  for (const line of cell.split(/\r?\n/)) {
    const at = line.indexOf(': ')
    const last = out[out.length - 1]
    if (at < 0 && last !== undefined) last.value += '\n' + line
    else if (at < 0) out.push({ name: line, value: '', hidden: false })
    else out.push({ name: line.slice(0, at), value: line.slice(at + 2), hidden: false })
  }
  return out
}

/** Reads a Bitwarden `.csv` export. */
export const importBitwardenCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['type'], ['name'], ['login_uri'], ['login_username'], ['login_password']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const row of table.rows) {
    const r = table.record(row)
    const title = r.get('name')
    const label = itemLabel(title, items.length)
    const type = r.get('type').trim().toLowerCase()
    if (type !== 'login' && type !== 'note' && type !== '')
      warnings.note(`items of type other than login or note were imported with their common fields only`, label)
    const username = r.get('login_username')
    const { fields, tags } = tagsFromFields(parseFieldsCell(r.get('fields')))
    if (fields.length > 0) warnings.note('Bitwarden CSV does not say which custom fields were hidden; they were imported as visible', label)
    const collections = r
      .get('collections')
      .split(',')
      .map(c => c.trim())
      .filter(c => c !== '')
    if (collections.length > 1) warnings.note('items in several collections were put in the folder of the first one', label)
    if (r.get('reprompt').trim() === '1') warnings.note('"master password re-prompt" was not kept', label)
    const totp = settleTotp(toOtpauth(r.get('login_totp'), { title, username }), fields, k => warnings.note(k, label))
    items.push(
      makeItem({
        title,
        username,
        password: r.get('login_password'),
        urls: r.get('login_uri').split(','),
        notes: r.get('notes'),
        totp,
        fields,
        tags,
        folder: table.has('folder') ? r.get('folder') : (collections[0] ?? ''),
        favorite: r.get('favorite').trim() === '1',
        type: type === 'note' ? 'note' : 'login'
      })
    )
    await progress.tick()
  }
  if (table.has('collections')) warnings.add('this is an organisation export: collection names became folders')
  progress.finish()
  return { items, warnings: warnings.list() }
}
