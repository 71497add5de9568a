/** Imports Bitwarden JSON exports: personal and organisation vaults, unencrypted or password-protected. */
import { bitwardenItem } from './bitwardenItem.js'
import { decryptBitwardenExport } from './bitwardenCrypto.js'
import { describeContent, detectFormat } from './detect.js'
import { ImportError, PasswordRequiredError } from './errors.js'
import { arr, obj, str } from './jsonShape.js'
import { parseJsonObject } from './parseJson.js'
import { Progress } from './progress.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'bitwarden-json'

async function openFile(data: Uint8Array, password: string | undefined): Promise<Record<string, unknown>> {
  const file = parseJsonObject(FORMAT, data)
  if (file.encrypted !== true) return file
  if (file.passwordProtected !== true) {
    throw new ImportError(
      FORMAT,
      'this is an "account restricted" encrypted export, which only the Bitwarden account that made it can open; export again choosing "Password protected", or unencrypted JSON'
    )
  }
  if (password === undefined || password === '') throw new PasswordRequiredError(FORMAT)
  const inner = await decryptBitwardenExport(FORMAT, file, password)
  return parseJsonObject(FORMAT, new TextEncoder().encode(inner))
}

/** Reads a Bitwarden `.json` export; password-protected ones need `options.password`. */
export const importBitwardenJson: Importer = async (data, options) => {
  const guess = detectFormat(data)
  if (guess !== null && guess !== FORMAT)
    throw new ImportError(FORMAT, `this is not a Bitwarden export (it looks like ${guess}): import it as ${guess}`)
  const file = await openFile(data, options.password)
  if (!Array.isArray(file.items)) {
    throw new ImportError(FORMAT, `the file has no "items" array: this is not a Bitwarden JSON export (${describeContent(data)})`)
  }
  const warnings = new Warnings()
  const folders = new Map(
    arr(file.folders)
      .map(obj)
      .map(f => [str(f.id), str(f.name)])
  )
  const collections = new Map(
    arr(file.collections)
      .map(obj)
      .map(c => [str(c.id), str(c.name)])
  )
  const raws = file.items as unknown[]
  const progress = new Progress(raws.length, options.onProgress)
  const items: ImportedItem[] = []
  let orgItems = 0
  for (const [i, raw] of raws.entries()) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ImportError(FORMAT, `expected an object, found ${JSON.stringify(raw)?.slice(0, 40) ?? typeof raw}`, {
        location: `item ${i + 1}`
      })
    }
    const o = raw as Record<string, unknown>
    if (typeof o.name !== 'string' && o.name !== null && o.name !== undefined) {
      throw new ImportError(FORMAT, `"name" is ${typeof o.name}, not a string`, { location: `item ${i + 1}` })
    }
    if (str(o.organizationId) !== '') orgItems++
    items.push(bitwardenItem(o, itemLabel(str(o.name), i), { folders, collections, warnings }))
    await progress.tick()
  }
  if (orgItems > 0)
    warnings.add(`${orgItems} item${orgItems === 1 ? '' : 's'} belonged to a Bitwarden organisation; their collection names became folders`)
  progress.finish()
  return { items, warnings: warnings.list() }
}
