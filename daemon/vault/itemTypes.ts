/**
 * Item types and their typed fields: which types exist, which fields each typed section holds
 * (and which of them are secret), and the checks a typed field's value must pass. Pure: no Yjs,
 * no storage. An item without a type is a login.
 */
import { InvalidItemError } from './errors.js'
import { sshFingerprint } from './sshFingerprint.js'

/** Every item type, in the order pickers show them. */
export const ITEM_TYPES = ['login', 'note', 'card', 'identity', 'sshKey', 'other'] as const
export type ItemType = (typeof ITEM_TYPES)[number]
export const DEFAULT_ITEM_TYPE: ItemType = 'login'

/** The types that have a section of typed fields, by the item JSON key of that section. */
export const SECTIONS = ['card', 'identity', 'sshKey'] as const
export type Section = (typeof SECTIONS)[number]

export interface CardFields {
  cardholder: string
  brand: string
  /** secret */
  number: string
  /** '1'…'12', or '' */
  expMonth: string
  /** four digits, or '' */
  expYear: string
  /** secret */
  cvv: string
}

export interface IdentityFields {
  /** Mr, Ms, Dr… */
  honorific: string
  firstName: string
  middleName: string
  lastName: string
  company: string
  email: string
  phone: string
  address1: string
  address2: string
  address3: string
  city: string
  state: string
  postalCode: string
  country: string
  /** secret */
  ssn: string
  /** secret */
  passportNumber: string
  /** secret */
  licenseNumber: string
  /** the user name this identity goes by (Bitwarden keeps one apart from any login) */
  username: string
}

export interface SshKeyFields {
  /** secret (OpenSSH or PEM text) */
  privateKey: string
  /** one OpenSSH line: `ssh-ed25519 AAAA… comment` */
  publicKey: string
  /** read-only: `SHA256:…` of the public key, as `ssh-keygen -l` prints it; '' when there is none */
  fingerprint: string
}

export interface SectionFields {
  card: CardFields
  identity: IdentityFields
  sshKey: SshKeyFields
}

/** One typed field: its name in the section, a label for people, and whether it is secret. */
export interface FieldSpec {
  name: string
  label: string
  hidden: boolean
}

const spec = (name: string, label: string, hidden = false): FieldSpec => ({ name, label, hidden })

/** The settable fields of each section, in display order (the SSH fingerprint is derived, not stored). */
export const SECTION_FIELDS: { readonly [S in Section]: readonly FieldSpec[] } = {
  card: [
    spec('cardholder', 'Cardholder'),
    spec('brand', 'Brand'),
    spec('number', 'Number', true),
    spec('expMonth', 'Expiry month'),
    spec('expYear', 'Expiry year'),
    spec('cvv', 'CVV', true)
  ],
  identity: [
    spec('honorific', 'Title'),
    spec('firstName', 'First name'),
    spec('middleName', 'Middle name'),
    spec('lastName', 'Last name'),
    spec('company', 'Company'),
    spec('email', 'Email'),
    spec('phone', 'Phone'),
    spec('address1', 'Address 1'),
    spec('address2', 'Address 2'),
    spec('address3', 'Address 3'),
    spec('city', 'City'),
    spec('state', 'State'),
    spec('postalCode', 'Postal code'),
    spec('country', 'Country'),
    spec('ssn', 'National ID / SSN', true),
    spec('passportNumber', 'Passport number', true),
    spec('licenseNumber', 'Licence number', true),
    spec('username', 'Username')
  ],
  sshKey: [spec('privateKey', 'Private key', true), spec('publicKey', 'Public key')]
}

export const isItemType = (v: unknown): v is ItemType => typeof v === 'string' && (ITEM_TYPES as readonly string[]).includes(v)
export const isSection = (v: unknown): v is Section => typeof v === 'string' && (SECTIONS as readonly string[]).includes(v)

/** The type of a stored or given value: absent (items from before types) means a login. */
export function typeOf(value: unknown): ItemType {
  return isItemType(value) ? value : DEFAULT_ITEM_TYPE
}

/** The section a type keeps its typed fields in, if it has one. */
export const sectionOf = (type: ItemType): Section | undefined => (isSection(type) ? type : undefined)

/** Checks an item type given by a caller. */
export function checkType(value: unknown): ItemType {
  if (!isItemType(value)) throw new InvalidItemError(`type must be one of ${ITEM_TYPES.join(', ')}`)
  return value
}

const MAX_TYPED_TEXT = 1 << 16
const OPENSSH_PUBLIC = /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,2}( .*)?$/

/** Checks and normalises one typed field's value; throws InvalidItemError naming the field and what it must be. */
export function checkTypedValue(section: Section, name: string, value: unknown): string {
  const label = `${section}.${name}`
  if (typeof value !== 'string') throw new InvalidItemError(`${label} must be a string`)
  if (value.length > MAX_TYPED_TEXT) throw new InvalidItemError(`${label} is too long`)
  // typed text is kept as given (an imported address may carry spaces); only checked values are trimmed
  const v = value.trim()
  if (v === '') return ''
  if (section === 'card') return checkCardValue(name, v, label, value)
  if (section === 'sshKey' && name === 'publicKey') {
    const line = v.replace(/\s+/g, ' ')
    if (!OPENSSH_PUBLIC.test(line) || sshFingerprint(line) === '')
      throw new InvalidItemError(`${label} must be one OpenSSH public key line, such as "ssh-ed25519 AAAAC3Nza… me@laptop"`)
    return line
  }
  return value
}

function checkCardValue(name: string, v: string, label: string, value = v): string {
  switch (name) {
    case 'number': {
      if (!/^[0-9][0-9 -]*$/.test(v)) throw new InvalidItemError(`${label} may hold only digits, spaces and dashes`)
      const digits = v.replace(/[ -]/g, '')
      if (digits.length < 8 || digits.length > 19) throw new InvalidItemError(`${label} must have 8 to 19 digits, not ${digits.length}`)
      return digits
    }
    case 'expMonth': {
      const m = /^(0?[1-9]|1[0-2])$/.exec(v)
      if (m === null) throw new InvalidItemError(`${label} must be a month from 1 to 12, not ${JSON.stringify(v)}`)
      return String(Number(v))
    }
    case 'expYear': {
      if (/^[0-9]{2}$/.test(v)) return `20${v}`
      if (!/^[0-9]{4}$/.test(v)) throw new InvalidItemError(`${label} must be a year such as 2029, not ${JSON.stringify(v)}`)
      return v
    }
    case 'cvv':
      if (!/^[0-9]{3,4}$/.test(v)) throw new InvalidItemError(`${label} must be 3 or 4 digits`)
      return v
    default:
      return value
  }
}

/** What a caller may set in a section: its field names, all optional; `fingerprint` is read-only and ignored. */
export type SectionInput<S extends Section> = Partial<Omit<SectionFields[S], 'fingerprint'>>

/** Checks a section given by a caller: an object of known fields with valid values; unknown names are refused. */
export function checkSection<S extends Section>(section: S, raw: unknown): SectionInput<S> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidItemError(`${section} must be an object of ${section} fields`)
  const names = SECTION_FIELDS[section].map(f => f.name)
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (section === 'sshKey' && name === 'fingerprint') continue // derived from the public key
    if (!names.includes(name)) throw new InvalidItemError(`${section} has no field ${JSON.stringify(name)} (it has ${names.join(', ')})`)
    if (value === undefined) continue
    out[name] = checkTypedValue(section, name, value)
  }
  return out as SectionInput<S>
}

/** A full section from stored values (missing ones empty); the SSH fingerprint is computed from the public key. */
export function sectionFrom<S extends Section>(section: S, get: (name: string) => unknown): SectionFields[S] {
  const out: Record<string, string> = {}
  for (const f of SECTION_FIELDS[section]) {
    const v = get(f.name)
    out[f.name] = typeof v === 'string' ? v : ''
  }
  if (section === 'sshKey') out.fingerprint = sshFingerprint(out.publicKey ?? '')
  return out as unknown as SectionFields[S]
}

/**
 * Splits raw values (from an import) into those that pass the checks and those that do not, so an
 * importer keeps a bad value as a custom field instead of failing the whole file.
 */
export function partitionSection(
  section: Section,
  raw: Record<string, string>
): { valid: Record<string, string>; rejected: Array<{ spec: FieldSpec; value: string }> } {
  const valid: Record<string, string> = {}
  const rejected: Array<{ spec: FieldSpec; value: string }> = []
  for (const f of SECTION_FIELDS[section]) {
    const value = raw[f.name]
    if (value === undefined || value.trim() === '') continue
    try {
      valid[f.name] = checkTypedValue(section, f.name, value)
    } catch {
      rejected.push({ spec: f, value })
    }
  }
  return { valid, rejected }
}
