/** Imports Firefox logins CSV exports; the Firefox Accounts (Sync) key row is skipped. */
import { CsvTable } from './csvTable.js'
import { field, makeItem, titleFromUrl } from './importedItem.js'
import { Progress } from './progress.js'
import { isoFromMillis } from './timestamps.js'
import type { ImportedItem, Importer } from './types.js'
import { Warnings } from './warnings.js'

const FORMAT = 'firefox-csv'

/** Reads a Firefox `logins.csv`. Titles come from the URL's host, as Firefox has none; an HTTP realm becomes a field. */
export const importFirefoxCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['url'], ['username'], ['password']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const row of table.rows) {
    const url = table.peek(row, 'url').trim()
    if (/^chrome:\/\/FirefoxAccounts/i.test(url)) {
      warnings.add(`row ${row.row}: the Firefox Accounts (Sync) key row was skipped (it is Firefox's own key material, not a login)`)
      await progress.tick()
      continue
    }
    const r = table.record(row)
    const realm = r.get('httpRealm')
    items.push(
      makeItem({
        title: titleFromUrl(r.get('url')),
        username: r.get('username'),
        password: r.get('password'),
        urls: [r.get('url')],
        fields: realm !== '' ? [field('HTTP realm', realm)] : [],
        createdAt: isoFromMillis(r.get('timeCreated')),
        updatedAt: isoFromMillis(r.get('timePasswordChanged'))
      })
    )
    await progress.tick()
  }
  progress.finish()
  return { items, warnings: warnings.list() }
}
