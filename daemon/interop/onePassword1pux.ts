/** Imports 1Password 1PUX exports (a zip whose export.data JSON holds accounts → vaults → items). */
import type { CustomField } from '../vault/Item.js'
import { checkSize } from './decodeText.js'
import { ImportError } from './errors.js'
import { makeItem } from './importedItem.js'
import { arr, obj, str } from './jsonShape.js'
import { onePasswordField } from './onePasswordField.js'
import { onePasswordType, takeTypedField } from './onePasswordTypes.js'
import { typedPart } from './typedItem.js'
import { parseJsonObject } from './parseJson.js'
import { Progress } from './progress.js'
import { isoFromSeconds } from './timestamps.js'
import { versionsFromPasswords } from './importedHistory.js'
import { settleTotp, toOtpauth } from './totp.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'
import { ImportedFiles } from './importedFiles.js'
import { fileRef, OnePasswordFiles, type OnePasswordFileRef } from './onePasswordFiles.js'
import { inflateZipEntry, zipEntries, type ZipEntry } from './zipEntry.js'

const FORMAT = '1password-1pux'

/** 1Password categories by name, for warnings; onePasswordTypes.ts maps them to Kith's types. */
const CATEGORIES: Record<string, string> = {
  '002': 'Credit Card',
  '004': 'Identity',
  '006': 'Document',
  100: 'Software License',
  101: 'Bank Account',
  102: 'Database',
  103: 'Driver License',
  104: 'Outdoor License',
  105: 'Membership',
  106: 'Passport',
  107: 'Rewards',
  108: 'Social Security Number',
  109: 'Wireless Router',
  110: 'Server',
  111: 'Email Account',
  112: 'API Credential',
  113: 'Medical Record',
  114: 'SSH Key'
}

function readExportData(data: Uint8Array, zip: ReadonlyMap<string, ZipEntry>): Record<string, unknown> {
  const entry = zip.get('export.data')
  if (entry === undefined) throw new ImportError(FORMAT, 'the zip has no export.data: this is not a 1PUX export')
  return parseJsonObject(FORMAT, inflateZipEntry(FORMAT, data, entry))
}

/**
 * One 1PUX item. Vault names become folders; the last TOTP field is the item's TOTP, earlier ones stay as hidden
 * fields; its files (a Document's file, file fields) are read from the zip.
 */
function onePasswordItem(
  raw: Record<string, unknown>,
  vaultName: string,
  label: string,
  warnings: Warnings,
  zipFiles: OnePasswordFiles
): ImportedItem {
  const w = (kind: string): void => warnings.note(kind, label)
  const details = obj(raw.details)
  const overview = obj(raw.overview)
  const title = str(overview.title)
  let username = ''
  let password = str(details.password)
  const fields: CustomField[] = []
  for (const lf of arr(details.loginFields).map(obj)) {
    const designation = str(lf.designation)
    if (designation === 'username') username = str(lf.value)
    else if (designation === 'password') password = str(lf.value)
    else if (str(lf.value) !== '')
      fields.push({ name: str(lf.name) !== '' ? str(lf.name) : str(lf.id), value: str(lf.value), hidden: str(lf.fieldType) === 'P' })
  }
  const type = onePasswordType(str(raw.categoryUuid))
  const typedValues: Record<string, string> = {}
  const totps: string[] = []
  const refs: OnePasswordFileRef[] = []
  const document = fileRef(details.documentAttributes)
  if (document !== undefined) refs.push(document)
  for (const section of arr(details.sections).map(obj)) {
    for (const f of arr(section.fields).map(obj)) {
      if (takeTypedField(type, f, typedValues)) continue
      const read = onePasswordField(f)
      if (read.totp !== undefined) totps.push(read.totp)
      if (read.file !== undefined) refs.push(read.file)
      if (read.field !== undefined) fields.push(read.field)
    }
  }
  for (const extra of totps.slice(0, -1)) {
    fields.push({ name: 'one-time password', value: toOtpauth(extra, { title, username }).uri ?? extra, hidden: true })
    w('items with several one-time passwords keep the last as their TOTP and the others as hidden fields')
  }
  const totp = settleTotp(toOtpauth(totps[totps.length - 1], { title, username }), fields, w)
  const category = CATEGORIES[str(raw.categoryUuid)]
  if (category !== undefined && type === 'other')
    warnings.note('items of categories Kith has no type for became items of type "other" with custom fields', `${label} (${category})`)
  const typed = typedPart(type, typedValues, fields, w)
  const state = str(raw.state)
  if (state === 'archived') w('archived items were put in the trash (Kith has no archive)')
  const urls = arr(overview.urls).map(u => str(obj(u).url))
  if (str(overview.url) !== '' && !urls.includes(str(overview.url))) urls.unshift(str(overview.url))
  const item = makeItem({
    title,
    username,
    password,
    urls,
    notes: str(details.notesPlain),
    totp,
    fields,
    tags: arr(overview.tags).map(str),
    folder: vaultName,
    favorite: Number(raw.favIndex) > 0,
    trashed: state === 'archived' || state === 'deleted',
    createdAt: isoFromSeconds(raw.createdAt),
    updatedAt: isoFromSeconds(raw.updatedAt),
    ...typed
  })
  const attachments = zipFiles.itemFiles(refs, label)
  if (attachments.length > 0) item.attachments = attachments
  const old = arr(details.passwordHistory).map(obj)
  if (old.length > 0)
    item.history = versionsFromPasswords(
      old.map(p => ({ value: str(p.value), until: isoFromSeconds(p.time) })),
      password
    )
  return item
}

/** Reads a 1Password `.1pux` export; each vault's name becomes the folder of its items, and items' files come too. */
export const importOnePassword1pux: Importer = async (data, options) => {
  checkSize(FORMAT, data)
  const zip = zipEntries(FORMAT, data)
  const root = readExportData(data, zip)
  if (!Array.isArray(root.accounts)) throw new ImportError(FORMAT, 'export.data has no "accounts" array')
  const warnings = new Warnings()
  const zipFiles = new OnePasswordFiles(FORMAT, data, zip, new ImportedFiles(FORMAT, warnings))
  const vaults = arr(root.accounts).flatMap(a => arr(obj(a).vaults).map(obj))
  const total = vaults.reduce((n, v) => n + arr(v.items).length, 0)
  const progress = new Progress(total, options.onProgress)
  const items: ImportedItem[] = []
  for (const [vi, vault] of vaults.entries()) {
    const vaultName = str(obj(vault.attrs).name)
    for (const [ii, raw] of arr(vault.items).entries()) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new ImportError(FORMAT, 'an item is not a JSON object', {
          location: `vault ${vaultName !== '' ? `'${vaultName}'` : vi + 1}, item ${ii + 1}`
        })
      }
      const o = raw as Record<string, unknown>
      items.push(onePasswordItem(o, vaultName, itemLabel(str(obj(o.overview).title), items.length), warnings, zipFiles))
      await progress.tick()
    }
  }
  if (vaults.length > 1) warnings.add(`the ${vaults.length} 1Password vaults became folders named after them`)
  progress.finish()
  return { items, warnings: warnings.list() }
}
