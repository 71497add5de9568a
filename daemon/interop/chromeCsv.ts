/** Imports Chrome / Google Password Manager CSV exports (name,url,username,password[,note]). */
import { CsvTable } from './csvTable.js'
import { makeItem, titleFromUrl } from './importedItem.js'
import { Progress } from './progress.js'
import type { ImportedItem, Importer } from './types.js'
import { Warnings } from './warnings.js'

const FORMAT = 'chrome-csv'

/** `android://<cert-hash>@<package>/` becomes `androidapp://<package>`, the form other managers use. */
export function normaliseAndroidUrl(url: string): string {
  const m = /^android:\/\/[^@]*@([^/]+)\/?$/.exec(url.trim())
  return m !== null ? `androidapp://${m[1] as string}` : url
}

/** Reads a Chrome passwords `.csv`. Rows without a note (4 cells under a 5-column header) are accepted with a warning. */
export const importChromeCsv: Importer = async (data, options) => {
  const warnings = new Warnings()
  const table = CsvTable.read(FORMAT, data, [['url'], ['username'], ['password']], warnings)
  const progress = new Progress(table.rows.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const row of table.rows) {
    const r = table.record(row)
    const url = normaliseAndroidUrl(r.get('url'))
    const name = r.get('name')
    items.push(
      makeItem({
        title: name !== '' ? name : titleFromUrl(url),
        username: r.get('username'),
        password: r.get('password'),
        urls: [url],
        notes: r.get('note', 'notes')
      })
    )
    await progress.tick()
  }
  progress.finish()
  return { items, warnings: warnings.list() }
}
