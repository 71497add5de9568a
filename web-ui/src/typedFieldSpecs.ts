/**
 * The typed fields the dashboard shows for each type, in order, with their labels and which are
 * secret: the same names and secrets as the daemon's SECTION_FIELDS (daemon/vault/itemTypes.ts;
 * test/web-ui/itemTypes.test.ts checks they agree). Only the lazy TypedFields chunk imports this.
 */
import type { Section } from './itemDraft.js'

export interface FieldSpec {
  name: string
  label: string
  hidden: boolean
  mono?: boolean
  multiline?: boolean
}

const f = (name: string, label: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, label, hidden: false, ...extra })
const secret = { hidden: true, mono: true }

export const FIELD_SPECS: Record<Section, FieldSpec[]> = {
  card: [
    f('cardholder', 'Cardholder'),
    f('brand', 'Brand'),
    f('number', 'Number', secret),
    f('expMonth', 'Expiry month'),
    f('expYear', 'Expiry year'),
    f('cvv', 'CVV', secret)
  ],
  identity: [
    f('honorific', 'Title'),
    f('firstName', 'First name'),
    f('middleName', 'Middle name'),
    f('lastName', 'Last name'),
    f('company', 'Company'),
    f('email', 'Email'),
    f('phone', 'Phone'),
    f('address1', 'Address'),
    f('address2', 'Address 2'),
    f('address3', 'Address 3'),
    f('city', 'City'),
    f('state', 'State'),
    f('postalCode', 'Postal code'),
    f('country', 'Country'),
    f('ssn', 'National ID / SSN', secret),
    f('passportNumber', 'Passport number', secret),
    f('licenseNumber', 'Licence number', secret),
    f('username', 'Username')
  ],
  sshKey: [f('privateKey', 'Private key', { ...secret, multiline: true }), f('publicKey', 'Public key', { mono: true })]
}
