/** Item types and expiry in the vault model: defaults for items from before types, typed fields, checks, merges, old devices. */
import { describe, it, expect } from 'vitest'
import * as Y from 'yjs'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import { InvalidItemError } from '../../daemon/vault/errors.js'
import { sshFingerprint } from '../../daemon/vault/sshFingerprint.js'
import { expiryState } from '../../daemon/vault/expiry.js'

/** made with `ssh-keygen -t ed25519 -C me@laptop`; the fingerprint is what `ssh-keygen -l` printed for it */
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAQkwfgk6b7mr6k9zLWGBZj5ub6s8/dHsi3QANeDRFhs me@laptop'
const FINGERPRINT = 'SHA256:wbI0pBhtejRVOAnFua+mJirEx9Erls/JWpA4dIOEeGE'

function sync(a: VaultDoc, b: VaultDoc): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)))
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)))
}

/** An item as a device from before item types stored it: the same Y.Map, without any type entries. */
function oldItem(v: VaultDoc, id: string): void {
  v.doc.transact(() => {
    const map = new Y.Map<unknown>()
    map.set('createdAt', '2025-01-01T00:00:00.000Z')
    map.set('updatedAt', '2025-01-01T00:00:00.000Z')
    map.set('title', 'Old mail')
    map.set('username', 'me')
    map.set('password', 'pw')
    v.doc.getMap('items').set(id, map)
  })
}

const card = { cardholder: 'Jane Doe', brand: 'Visa', number: '4111 1111 1111 1111', expMonth: '03', expYear: '29', cvv: '123' }

describe('item types', () => {
  it('an item stored before types reads as a login that does not expire, with no typed section', () => {
    const v = new VaultDoc()
    oldItem(v, 'old-1')
    const item = v.get('old-1')
    expect(item).toMatchObject({ title: 'Old mail', type: 'login', expiresAt: null })
    expect(item?.card).toBeUndefined()
    expect(item?.identity).toBeUndefined()
    expect(item?.sshKey).toBeUndefined()
  })

  it('a card keeps its typed fields, normalised: digits only, month without zero, four-digit year', () => {
    const v = new VaultDoc()
    const id = v.create({ title: 'Visa', type: 'card', card })
    expect(v.get(id)).toMatchObject({
      type: 'card',
      card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '123' }
    })
    // a login has no card section in its JSON
    expect(v.get(v.create({ title: 'Mail' }))?.card).toBeUndefined()
  })

  it('refuses a bad card expiry, a bad number, an unknown field or type, with a message naming the field, and stores nothing', () => {
    const v = new VaultDoc()
    const bad: Array<[object, RegExp]> = [
      [{ type: 'card', card: { expMonth: '13' } }, /card\.expMonth must be a month from 1 to 12/],
      [{ type: 'card', card: { expYear: '20299' } }, /card\.expYear must be a year/],
      [{ type: 'card', card: { number: '4111-abc' } }, /card\.number may hold only digits/],
      [{ type: 'card', card: { cvv: '12' } }, /card\.cvv must be 3 or 4 digits/],
      [{ type: 'card', card: { pin: '1234' } }, /card has no field "pin"/],
      [{ type: 'wallet' }, /type must be one of login, note, card, identity, sshKey, other/],
      [{ card: { brand: 'Visa' } }, /card fields belong to items of type "card", not "login"/],
      [{ type: 'sshKey', sshKey: { publicKey: 'not a key' } }, /sshKey\.publicKey must be one OpenSSH public key line/],
      [{ expiresAt: '2027-02-31' }, /expiresAt must be an ISO 8601 date/],
      [{ expiresAt: 'next week' }, /expiresAt must be an ISO 8601 date/]
    ]
    for (const [input, message] of bad) {
      expect(() => v.create({ title: 'x', ...input }), JSON.stringify(input)).toThrow(InvalidItemError)
      expect(() => v.create({ title: 'x', ...input }), JSON.stringify(input)).toThrow(message)
    }
    expect(v.size).toBe(0)
    const id = v.create({ title: 'Visa', type: 'card', card })
    expect(() => v.update(id, { card: { expMonth: '0' } })).toThrow(/card\.expMonth/)
    expect(v.get(id)?.card?.expMonth).toBe('3')
  })

  it('an SSH key gets the fingerprint ssh-keygen prints for its public key; a given fingerprint is ignored', () => {
    expect(sshFingerprint(PUBLIC_KEY)).toBe(FINGERPRINT)
    expect(sshFingerprint('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIAQkwfgk6b7mr6k9zLWGBZj5ub6s8/dHsi3QANeDRFhs')).toBe('')
    const v = new VaultDoc()
    const id = v.create({
      title: 'laptop key',
      type: 'sshKey',
      sshKey: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----\n', publicKey: PUBLIC_KEY }
    })
    expect(v.get(id)?.sshKey).toEqual({
      privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----\n',
      publicKey: PUBLIC_KEY,
      fingerprint: FINGERPRINT
    })
    v.update(id, { sshKey: { fingerprint: 'SHA256:forged' } as never })
    expect(v.get(id)?.sshKey?.fingerprint).toBe(FINGERPRINT)
  })

  it('expiresAt takes a date or a date-time and stores ISO 8601 UTC; null clears it', () => {
    const v = new VaultDoc()
    const id = v.create({ title: 'Passport', type: 'note', expiresAt: '2031-06-30' })
    expect(v.get(id)?.expiresAt).toBe('2031-06-30T00:00:00.000Z')
    v.update(id, { expiresAt: '2031-07-01T12:00:00+02:00' })
    expect(v.get(id)?.expiresAt).toBe('2031-07-01T10:00:00.000Z')
    v.update(id, { expiresAt: null })
    expect(v.get(id)?.expiresAt).toBeNull()
  })

  it('expired and expiring soon: within 30 days, from expiresAt or else a card’s expiry month', () => {
    const now = new Date('2026-12-05T12:00:00Z')
    const none = { expiresAt: null }
    expect(expiryState({ expiresAt: '2026-11-30T00:00:00.000Z' }, now)).toBe('expired')
    expect(expiryState({ expiresAt: '2026-12-20T00:00:00.000Z' }, now)).toBe('expiring-soon')
    expect(expiryState({ expiresAt: '2027-02-01T00:00:00.000Z' }, now)).toBeUndefined()
    expect(expiryState(none, now)).toBeUndefined()
    const cardOf = (expMonth: string, expYear: string) => ({ ...none, card: { ...card, expMonth, expYear } })
    expect(expiryState(cardOf('11', '2026'), now)).toBe('expired')
    // valid through the end of December
    expect(expiryState(cardOf('12', '2026'), now)).toBe('expiring-soon')
    expect(expiryState(cardOf('6', '2027'), now)).toBeUndefined()
  })

  it('concurrent edits of two fields of one card on two devices both survive the merge', () => {
    const laptop = new VaultDoc()
    const id = laptop.create({ title: 'Visa', type: 'card', card })
    const phone = new VaultDoc()
    sync(laptop, phone)
    laptop.update(id, { card: { cvv: '999' } })
    phone.update(id, { card: { expMonth: '4', expYear: '2030' } })
    sync(laptop, phone)
    for (const v of [laptop, phone]) expect(v.get(id)?.card).toMatchObject({ cvv: '999', expMonth: '4', expYear: '2030', brand: 'Visa' })
  })

  it('a device from before types edits a typed item without losing its typed fields, and an old item gains a type', () => {
    const fresh = new VaultDoc()
    const id = fresh.create({ title: 'Visa', type: 'card', card, expiresAt: '2029-04-01' })
    const old = new VaultDoc()
    sync(fresh, old)
    // what old code does on an edit: set its own fields in the item's map and nothing else
    old.doc.transact(() => {
      const map = old.doc.getMap('items').get(id) as Y.Map<unknown>
      map.set('title', 'Visa (old device)')
      map.set('notes', 'renamed on the old laptop')
    })
    sync(fresh, old)
    expect(fresh.get(id)).toMatchObject({
      title: 'Visa (old device)',
      notes: 'renamed on the old laptop',
      type: 'card',
      expiresAt: '2029-04-01T00:00:00.000Z'
    })
    expect(fresh.get(id)?.card?.number).toBe('4111111111111111')

    oldItem(old, 'legacy')
    sync(fresh, old)
    fresh.update('legacy', { type: 'note', notes: 'now a note' })
    sync(fresh, old)
    expect(fresh.get('legacy')).toMatchObject({ type: 'note', username: 'me', password: 'pw', notes: 'now a note' })
  })

  it('a change of type keeps the old type’s values as custom fields, secret ones hidden', () => {
    const v = new VaultDoc()
    const id = v.create({ title: 'Visa', type: 'card', card, fields: [{ name: 'PIN', value: '0000', hidden: true }] })
    v.update(id, { type: 'note' })
    const item = v.get(id)
    expect(item?.type).toBe('note')
    expect(item?.card).toBeUndefined()
    expect(item?.fields).toEqual([
      { name: 'PIN', value: '0000', hidden: true },
      { name: 'Cardholder', value: 'Jane Doe', hidden: false },
      { name: 'Brand', value: 'Visa', hidden: false },
      { name: 'Number', value: '4111111111111111', hidden: true },
      { name: 'Expiry month', value: '3', hidden: false },
      { name: 'Expiry year', value: '2029', hidden: false },
      { name: 'CVV', value: '123', hidden: true }
    ])
    // and back: an empty card, the values stay where they are
    v.update(id, { type: 'card' })
    expect(v.get(id)?.card?.number).toBe('')
  })
})
