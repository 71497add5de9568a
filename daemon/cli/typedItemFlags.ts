/**
 * The CLI's side of item types: `--type`, `--expires`, and typed fields by name (`--detail brand=Visa`,
 * `--detail-stdin number`, `--detail-file privateKey=~/.ssh/id_ed25519`); how `list`, `get` and `show`
 * print a type, its fields and its expiry. Secret typed fields are refused on the command line.
 */
import { readFileSync } from 'node:fs'
import { flag, flagAll, type ParsedArgs } from './args.js'
import { CliError, EXIT } from './CliError.js'
import type { Item } from '../api/ports.js'
import type { ItemPatchBody } from '../api/schemas.js'
import { expiryState } from '../vault/expiry.js'
import { ITEM_TYPES, SECTION_FIELDS, sectionOf, type FieldSpec, type ItemType, type Section } from '../vault/itemTypes.js'

export const TYPED_FLAGS = ['type', 'expires', 'detail', 'detail-stdin', 'detail-file']

export const TYPED_HELP = [
  'Item types: --type login (default), note, card, identity, ssh-key or other. Typed fields by name:',
  '--detail NAME=VALUE (card: cardholder, brand, expMonth, expYear, or expiry=MM/YYYY; identity:',
  'firstName, lastName, email, phone, address1, city, postalCode, country…; ssh-key: publicKey),',
  '--detail-stdin NAME for secret ones (card: number, cvv; identity: ssn, passportNumber,',
  'licenseNumber), one line each after the other stdin secrets, and --detail-file NAME=FILE for',
  'multi-line ones (ssh-key: privateKey). --expires DATE (2027-01-31; "never" clears) on any item.'
].join('\n')

const ALIASES: Record<string, ItemType> = { 'secure-note': 'note', 'ssh-key': 'sshKey', ssh: 'sshKey', sshkey: 'sshKey' }

/** `--type` as the API names it, or undefined when not given. */
export function typeFlag(a: ParsedArgs): ItemType | undefined {
  const raw = flag(a, 'type')
  if (raw === undefined) return undefined
  const name = ALIASES[raw.toLowerCase()] ?? (ITEM_TYPES as readonly string[]).find(t => t.toLowerCase() === raw.toLowerCase())
  if (name === undefined)
    throw new CliError('usage', `--type takes one of login, note, card, identity, ssh-key, other; not ${JSON.stringify(raw)}`, EXIT.usage)
  return name as ItemType
}

/** The typed field NAME (or SECTION.NAME) of a section; a usage error naming the fields when it has none such. */
function fieldOf(section: Section | undefined, type: ItemType, name: string): FieldSpec {
  const [given, field] = name.includes('.') ? (name.split('.', 2) as [string, string]) : [section, name]
  if (section === undefined)
    throw new CliError('usage', `items of type ${type} have no typed fields: give --type card, identity or ssh-key`, EXIT.usage)
  const specs = SECTION_FIELDS[section]
  const spec = specs.find(f => f.name.toLowerCase() === field.toLowerCase())
  if (given !== section || spec === undefined)
    throw new CliError(
      'usage',
      `a ${type} has no field ${JSON.stringify(name)}; its fields: ${specs.map(f => f.name).join(', ')}`,
      EXIT.usage
    )
  return spec
}

const pair = (option: string, value: string): [string, string] => {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new CliError('usage', `${option} takes NAME=VALUE, got ${JSON.stringify(value)}`, EXIT.usage)
  return [value.slice(0, eq), value.slice(eq + 1)]
}

/** The secret typed fields to read from stdin, in order: what `--detail-stdin` names. */
export const detailStdinNames = (a: ParsedArgs): string[] => flagAll(a, 'detail-stdin')

/**
 * Adds `--type`, `--expires` and the typed fields to `body`; `type` is the item's type after this
 * change (for `edit` without --type, the stored one); `stdinValues` answer `--detail-stdin` in order.
 */
export function addTypedFlags(a: ParsedArgs, body: ItemPatchBody, type: ItemType, stdinValues: string[]): void {
  const given = typeFlag(a)
  if (given !== undefined) body.type = given
  const expires = flag(a, 'expires')
  if (expires !== undefined) body.expiresAt = expires === '' || expires.toLowerCase() === 'never' ? null : expires
  const section = sectionOf(type)
  const values: Record<string, string> = {}
  for (const raw of flagAll(a, 'detail')) {
    const [name, value] = pair('--detail', raw)
    if (section === 'card' && name.toLowerCase() === 'expiry') {
      const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value)
      if (m === null) throw new CliError('usage', `--detail expiry takes MM/YYYY, got ${JSON.stringify(value)}`, EXIT.usage)
      values.expMonth = m[1] as string
      values.expYear = m[2] as string
      continue
    }
    const spec = fieldOf(section, type, name)
    if (spec.hidden && value !== '')
      throw new CliError('usage', `${spec.name} is secret: give it with --detail-stdin ${spec.name}, not on the command line`, EXIT.usage)
    values[spec.name] = value
  }
  for (const raw of flagAll(a, 'detail-file')) {
    const [name, path] = pair('--detail-file', raw)
    const spec = fieldOf(section, type, name)
    try {
      values[spec.name] = readFileSync(path, 'utf8')
    } catch (err) {
      throw new CliError('usage', `cannot read ${path} for ${spec.name}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.usage)
    }
  }
  detailStdinNames(a).forEach((name, i) => {
    values[fieldOf(section, type, name).name] = stdinValues[i] as string
  })
  if (Object.keys(values).length > 0 && section !== undefined) body[section] = values
}

const day = (iso: string): string => iso.slice(0, 10)

/** ' · expired 2026-11-30' / ' · expires soon (2026-12-20)' / '' for `list` and `show`. */
export function expiryNote(item: Item, now = new Date()): string {
  const state = expiryState(item, now)
  const at =
    item.expiresAt ??
    (item.card !== undefined && item.card.expYear !== '' ? `${item.card.expYear}-${item.card.expMonth.padStart(2, '0')}` : null)
  if (state === 'expired') return `expired${at !== null ? ` ${day(at)}` : ''}`
  if (state === 'expiring-soon') return `expires soon${at !== null ? ` (${day(at)})` : ''}`
  return ''
}

/** The label `kith list` shows for a type other than login. */
export const typeLabel = (type: ItemType): string => (type === 'sshKey' ? 'ssh-key' : type)

/** The lines `kith get`/`show` add for an item's type, typed fields (secrets masked) and expiry. */
export function typedLines(item: Item): string[] {
  const lines: string[] = []
  if (item.type !== 'login') lines.push(`type:     ${typeLabel(item.type)}`)
  const section = sectionOf(item.type)
  const values = section === undefined ? undefined : (item[section] as unknown as Record<string, string> | undefined)
  if (section !== undefined && values !== undefined) {
    for (const f of SECTION_FIELDS[section]) {
      const v = values[f.name] ?? ''
      if (v !== '') lines.push(`${f.name}: ${f.hidden ? '********' : v.replace(/\n+$/, '')}`)
    }
    if (item.sshKey !== undefined && item.sshKey.fingerprint !== '') lines.push(`fingerprint: ${item.sshKey.fingerprint}`)
  }
  if (item.expiresAt !== null) lines.push(`expires:  ${day(item.expiresAt)}`)
  const note = expiryNote(item)
  if (note !== '') lines.push(`(${note})`)
  return lines
}

/** A typed field's raw value for `kith get ID --field NAME` (NAME or SECTION.NAME), or undefined. */
export function typedFieldValue(item: Item, name: string): string | undefined {
  const section = sectionOf(item.type)
  const values = section === undefined ? undefined : (item[section] as unknown as Record<string, string> | undefined)
  if (section === undefined || values === undefined) return undefined
  const field = name.startsWith(`${section}.`) ? name.slice(section.length + 1) : name
  return Object.hasOwn(values, field) ? values[field] : undefined
}
