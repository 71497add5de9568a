/**
 * 1Password categories as Kith item types, and which 1PUX section fields (by their `id`) fill a
 * typed field: a credit card's holder, type, number, CVV and expiry; an identity's name, company,
 * address, phone, e-mail and user name; an SSH key's private and public key. Other fields of these
 * items stay custom fields.
 */
import type { ItemType } from '../vault/itemTypes.js'
import { obj, str } from './jsonShape.js'

/** 001 Login, 002 Credit Card, 003 Secure Note, 004 Identity, 005 Password, 114 SSH Key; every other category is "other". */
export function onePasswordType(categoryUuid: string): ItemType {
  const types: Record<string, ItemType> = { '001': 'login', '002': 'card', '003': 'note', '004': 'identity', '005': 'login', 114: 'sshKey' }
  return types[categoryUuid] ?? 'other'
}

/** 1Password's credit card type codes. */
const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mc: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  carteblanche: 'Carte Blanche',
  visaelectron: 'Visa Electron',
  laser: 'Laser',
  solo: 'Solo',
  switch: 'Switch'
}

const CARD_IDS: Record<string, string> = { cardholder: 'cardholder', type: 'brand', ccnum: 'number', cvv: 'cvv' }
const IDENTITY_IDS: Record<string, string> = {
  firstname: 'firstName',
  initial: 'middleName',
  lastname: 'lastName',
  company: 'company',
  defphone: 'phone',
  email: 'email',
  username: 'username'
}

/**
 * Takes a section field into `typed` when it fills a typed field of `type`; true when it did (the
 * field is then not a custom field). `raw` is the 1PUX field `{id, title, value: {<kind>: v}}`.
 */
export function takeTypedField(type: ItemType, raw: Record<string, unknown>, typed: Record<string, string>): boolean {
  const id = str(raw.id)
  const value = obj(raw.value)
  const kind = Object.keys(value)[0] ?? ''
  const v = value[kind]
  if (type === 'card') {
    if (kind === 'monthYear' && id === 'expiry') {
      const n = String(v ?? '')
      if (/^\d{6}$/.test(n)) {
        typed.expYear = n.slice(0, 4)
        typed.expMonth = String(Number(n.slice(4)))
      }
      return true
    }
    const name = CARD_IDS[id]
    if (name === undefined) return false
    typed[name] = name === 'brand' ? (BRANDS[str(v)] ?? str(v)) : str(v)
    return true
  }
  if (type === 'identity') {
    if (kind === 'address') {
      const a = obj(v)
      Object.assign(typed, {
        address1: str(a.street),
        city: str(a.city),
        state: str(a.state),
        postalCode: str(a.zip),
        country: str(a.country)
      })
      return true
    }
    const name = IDENTITY_IDS[id]
    if (name === undefined || typeof v === 'object') return false
    typed[name] = str(v)
    return true
  }
  if (type === 'sshKey' && kind === 'sshKey') {
    const key = obj(v)
    typed.privateKey = str(key.privateKey)
    typed.publicKey = str(obj(key.metadata).publicKey)
    return true
  }
  return false
}
