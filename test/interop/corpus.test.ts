/** Every real export in ../shared/interop/public/ against EXPECTED.json: counts, then each listed field, item by item. */

// Where Kith's model differs from EXPECTED's neutral shape the adaptation is explicit below
// (root group not a folder, titles from hosts, TOTP secrets as otpauth URIs, …).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importers } from '../../daemon/interop/registry.js'
import { secretOf, cleanBase32 } from '../../daemon/interop/totp.js'
import { titleFromUrl } from '../../daemon/interop/importedItem.js'
import type { ImportedItem, ImportFormat, ImportResult } from '../../daemon/interop/types.js'
import { CORPUS_DIR, corpusAvailable, corpusFile } from './helpers.js'

interface ExpectedField {
  name: string
  value: string
  hidden: boolean
}
interface ExpectedItem {
  type: string
  title: string
  username: string
  password: string
  urls: string[]
  notes: string
  folder: string
  totp: string
  custom_fields: ExpectedField[]
  favorite: boolean
  archived: boolean
  tags: string[]
  extra: Record<string, unknown>
}
interface ExpectedFile {
  item_count: number | null
  items?: ExpectedItem[]
}

/** Which importer reads each corpus file, and its password. */
const FILES: Record<string, { format: ImportFormat; password?: string }> = {
  'bitwarden/passimport-bitwarden.json': { format: 'bitwarden-json' },
  'bitwarden/passimport-bitwarden-org.json': { format: 'bitwarden-json' },
  'bitwarden/passimport-bitwarden.csv': { format: 'bitwarden-csv' },
  'bitwarden/passimport-bitwarden-org.csv': { format: 'bitwarden-csv' },
  'bitwarden/keepassxc-bitwarden_export.json': { format: 'bitwarden-json' },
  'bitwarden/keepassxc-bitwarden_encrypted_export.json': { format: 'bitwarden-json', password: 'a' },
  'bitwarden/keepassxc-bitwarden_encrypted_argon2id_export.json': { format: 'bitwarden-json', password: 'a' },
  '1password/keepassxc-1PasswordExport.1pux': { format: '1password-1pux' },
  '1password/passimport-1password8.csv': { format: '1password-csv' },
  'chrome/passimport-chrome.csv': { format: 'chrome-csv' },
  'chrome/bitwarden-chrome-note-data.csv': { format: 'chrome-csv' },
  'firefox/passimport-firefox.csv': { format: 'firefox-csv' },
  'firefox/bitwarden-firefox-accounts-data.csv': { format: 'firefox-csv' },
  'firefox/bitwarden-firefox-simple-password-data.csv': { format: 'firefox-csv' },
  'keepassxc/keepassxc-Format400.kdbx': { format: 'kdbx', password: 't' },
  'keepassxc/keepass2-NewDatabase.xml': { format: 'keepass-xml' },
  'keepassxc/passimport-keepassx2.csv': { format: 'keepass-csv' },
  'lastpass/passimport-lastpass.csv': { format: 'lastpass-csv' },
  'lastpass/bitwarden-lastpass-cards.csv': { format: 'lastpass-csv' },
  'lastpass/bitwarden-lastpass-totp-and-typed-notes.csv': { format: 'lastpass-csv' }
}
const KEEPASS: ReadonlySet<ImportFormat> = new Set(['kdbx', 'keepass-xml', 'keepass-csv'])
const NO_TITLE: ReadonlySet<ImportFormat> = new Set(['firefox-csv'])

/** The folder Kith gives: KeePass root group dropped (it is the database), Recycle Bin → trashed, collections → folder. */
function expectedFolder(e: ExpectedItem, format: ImportFormat): string {
  if (e.extra.in_recycle_bin === true) return ''
  if (KEEPASS.has(format)) return e.folder.split('/').slice(1).join('/')
  const collections = e.extra.collections
  if (e.folder === '' && Array.isArray(collections)) return String(collections[0] ?? '')
  return e.folder
}

/** Bitwarden CSV writes CRLF inside cells; EXPECTED keeps a stray CR at the end of a field value, Kith strips it. */
const fieldValue = (v: string): string => v.replace(/\r$/, '').replace(/\r\n?/g, '\n')

/** A field value matches: equal, or, when EXPECTED holds a JSON object (1PUX email/address), every value appears. */
function sameValue(mine: string, expected: string): boolean {
  if (mine === fieldValue(expected)) return true
  if (!expected.startsWith('{')) return false
  try {
    const o = JSON.parse(expected) as Record<string, unknown>
    return Object.values(o)
      .filter(v => v !== null && v !== '')
      .every(v => mine.includes(String(v)))
  } catch {
    return false
  }
}

/** The item's typed values (card, identity, SSH key), for fields EXPECTED lists as custom fields or in `extra`. */
function typedValues(mine: ImportedItem): string[] {
  const section = mine.card ?? mine.identity ?? mine.sshKey
  if (section === undefined) return []
  const values = Object.values(section) as string[]
  // 1PUX writes a card's expiry as YYYYMM and its brand as a code; Kith keeps month, year and the brand's name
  if (mine.card !== undefined) values.push(`${mine.card.expYear}${mine.card.expMonth.padStart(2, '0')}`)
  if (mine.card?.brand === 'Mastercard') values.push('mc')
  return values
}

/** A field EXPECTED lists as custom that Kith keeps as one of the item's typed fields instead. */
function isTyped(mine: ImportedItem, ef: ExpectedField): boolean {
  const values = typedValues(mine)
  return values.length > 0 && (values.includes(ef.value) || (ef.value.startsWith('{') && sameValue(values.join('\n'), ef.value)))
}

/** EXPECTED's type names as Kith's, for the formats whose types Kith reads. */
const TYPES: Record<string, string> = { login: 'login', password: 'login', note: 'note', card: 'card', identity: 'identity' }
const TYPED_FORMATS: ReadonlySet<ImportFormat> = new Set(['bitwarden-json', '1password-1pux'])

function checkFields(mine: ImportedItem, e: ExpectedItem, warnings: string[], where: string): void {
  let k = 0
  for (const ef of e.custom_fields) {
    // where Kith has a typed field for it (a card's number, an identity's first name), it is there, not a custom field
    if (isTyped(mine, ef) && !mine.fields.slice(k).some(f => f.name === ef.name)) continue
    while (k < mine.fields.length && !(mine.fields[k]?.name === ef.name && sameValue(mine.fields[k]?.value ?? '', ef.value))) k++
    expect(k, `${where}: field '${ef.name}' = ${JSON.stringify(ef.value)} in order among ${JSON.stringify(mine.fields)}`).toBeLessThan(
      mine.fields.length
    )
    expect(mine.fields[k]?.hidden, `${where}: field '${ef.name}' hidden`).toBe(ef.hidden)
    k++
  }
  if (mine.fields.length > e.custom_fields.length) {
    // Fields beyond EXPECTED's list carry data EXPECTED keeps elsewhere (card/identity details, a second TOTP):
    // allowed only when a warning names the item.
    expect(
      warnings.some(w => w.includes(`'${e.title}'`)),
      `${where}: extra fields without a warning`
    ).toBe(true)
  }
  for (const group of ['card', 'identity']) {
    const detail = e.extra[group] as Record<string, unknown> | undefined
    for (const v of Object.values(detail ?? {})) {
      if (v !== null && v !== '')
        expect([...typedValues(mine), ...mine.fields.map(f => f.value)], `${where}: ${group} value ${String(v)}`).toContain(String(v))
    }
  }
}

function checkItem(mine: ImportedItem | undefined, e: ExpectedItem, format: ImportFormat, result: ImportResult, where: string): void {
  expect(mine, where).toBeDefined()
  if (mine === undefined) return
  const title = e.title === '' && NO_TITLE.has(format) ? titleFromUrl(e.urls[0] ?? '') : e.title
  expect(mine.title, `${where} title`).toBe(title)
  expect(mine.username, `${where} username`).toBe(e.username)
  expect(mine.password, `${where} password`).toBe(e.password)
  expect(mine.urls, `${where} urls`).toEqual(e.urls)
  expect(mine.notes, `${where} notes`).toBe(e.notes)
  expect(mine.folder, `${where} folder`).toBe(expectedFolder(e, format))
  expect(mine.favorite, `${where} favorite`).toBe(e.favorite)
  expect(mine.trashed, `${where} trashed (archived or in the Recycle Bin)`).toBe(e.archived || e.extra.in_recycle_bin === true)
  expect(mine.tags, `${where} tags`).toEqual(e.tags)
  if (e.totp === '') expect(mine.totp, `${where} totp`).toBeNull()
  else if (e.totp.startsWith('otpauth://')) expect(mine.totp, `${where} totp`).toBe(e.totp)
  else expect(secretOf(mine.totp), `${where} totp secret`).toBe(cleanBase32(e.totp))
  if (TYPED_FORMATS.has(format)) expect(mine.type, `${where} type`).toBe(TYPES[e.type] ?? 'other')
  checkFields(mine, e, result.warnings, where)
  const attachments = e.extra.attachments
  if (Array.isArray(attachments) && attachments.length > 0)
    expect(
      (mine.attachments ?? []).map(a => a.name),
      `${where} attachments imported`
    ).toEqual(attachments)
  if (typeof e.extra.history_items === 'number' && e.extra.history_items > 0)
    expect(Array.isArray(mine.history), `${where} history carried`).toBe(true)
}

const available = corpusAvailable()
const expected: Record<string, ExpectedFile> = available
  ? (JSON.parse(readFileSync(join(CORPUS_DIR, 'EXPECTED.json'), 'utf8')) as Record<string, ExpectedFile>)
  : {}

describe.skipIf(!available)('public corpus against EXPECTED.json', () => {
  it('covers every file EXPECTED.json lists and every export in the folder', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(FILES).sort())
    const onDisk = readdirSync(CORPUS_DIR, { recursive: true, encoding: 'utf8' }).filter(
      f => f.includes('/') && !f.startsWith('reference/') && statSync(join(CORPUS_DIR, f)).isFile()
    )
    expect(onDisk.sort()).toEqual(Object.keys(FILES).sort())
  })

  for (const [file, { format, password }] of Object.entries(FILES)) {
    it(`${file} (${format})`, async () => {
      const exp = expected[file]
      expect(exp, 'listed in EXPECTED.json').toBeDefined()
      if (exp === undefined) return
      const result = await importers[format](corpusFile(file), { password })
      if (exp.item_count !== null) expect(result.items).toHaveLength(exp.item_count)
      else expect(result.items.length).toBeGreaterThan(0)
      for (const [k, e] of (exp.items ?? []).entries()) checkItem(result.items[k], e, format, result, `${file} item ${k + 1} '${e.title}'`)
      for (const w of result.warnings) expect(w.trim()).not.toBe('')
    }, 20_000)
  }

  it('the two encrypted Bitwarden exports hold the same item as written by KeePassXC', async () => {
    for (const file of [
      'bitwarden/keepassxc-bitwarden_encrypted_export.json',
      'bitwarden/keepassxc-bitwarden_encrypted_argon2id_export.json'
    ]) {
      const { items } = await importers['bitwarden-json'](corpusFile(file), { password: 'a' })
      expect(items).toHaveLength(1)
      expect(items[0]).toMatchObject({
        title: 'KeePassXC',
        username: 'keepassxc',
        password: 'TYsbQUyeD3qrav',
        urls: ['https://keepassxc.org', 'https://github.com/keepassxreboot/keepassxc'],
        favorite: true,
        notes: 'KeePassXC password manager'
      })
      expect(secretOf(items[0]?.totp ?? null)).toBe('FSFSFSFSEFEFEF')
    }
  }, 20_000)
})
