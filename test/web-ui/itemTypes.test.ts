/** The dashboard's view of item types agrees with the daemon's: field names and secrets, the expiry rule, the draft's typed patch, search and filters. */
import { describe, it, expect } from 'vitest'
import { SECTION_FIELDS, SECTIONS } from '../../daemon/vault/itemTypes.js'
import { expiryState } from '../../daemon/vault/expiry.js'
import type { Item } from '../../daemon/vault/Item.js'
import { FIELD_SPECS } from '../../web-ui/src/typedFieldSpecs.js'
import { expiryOf, typedSummary } from '../../web-ui/src/itemTypes.js'
import { draftOf, inputOf, patchOf, withType } from '../../web-ui/src/itemDraft.js'
import { ItemIndex } from '../../web-ui/src/search.js'

const card = { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' }
const base: Item = {
  id: 'c1',
  vault: 'Personal',
  attachments: [],
  title: 'Everyday Visa',
  username: '',
  password: '',
  urls: [],
  notes: '',
  totp: null,
  fields: [],
  tags: [],
  folder: '',
  favorite: false,
  trashed: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  type: 'card',
  expiresAt: null,
  card
}

describe('dashboard item types', () => {
  it('shows the same typed fields as the daemon keeps, with the same ones secret', () => {
    for (const section of SECTIONS)
      expect(
        FIELD_SPECS[section].map(f => [f.name, f.hidden]),
        section
      ).toEqual(SECTION_FIELDS[section].map(f => [f.name, f.hidden]))
  })

  it('says "expired" and "expiring soon" exactly when the CLI does', () => {
    const now = new Date('2026-12-05T12:00:00Z')
    const samples: Array<Pick<Item, 'expiresAt' | 'card'>> = [
      { expiresAt: '2026-12-05T11:59:59.000Z' },
      { expiresAt: '2026-12-05T12:00:00.000Z' },
      { expiresAt: '2027-01-04T12:00:00.000Z' },
      { expiresAt: '2027-01-04T12:00:01.000Z' },
      { expiresAt: null },
      { expiresAt: null, card: { ...card, expMonth: '11', expYear: '2026' } },
      { expiresAt: null, card: { ...card, expMonth: '12', expYear: '2026' } },
      { expiresAt: null, card: { ...card, expMonth: '1', expYear: '2027' } },
      { expiresAt: null, card: { ...card, expMonth: '', expYear: '2027' } }
    ]
    for (const s of samples) expect(expiryOf(s, now.getTime()), JSON.stringify(s)).toBe(expiryState(s, now))
    expect(samples.map(s => expiryOf(s, now.getTime()))).toContain('expired')
    expect(samples.map(s => expiryOf(s, now.getTime()))).toContain('expiring-soon')
  })

  it('a draft of a card patches only the typed field changed, and a new item’s type sends its section', () => {
    const start = draftOf(base, 'Personal')
    expect(start.details).toEqual(card)
    expect(patchOf(start, start)).toEqual({})
    expect(patchOf({ ...start, details: { ...card, cvv: '999' } }, start)).toEqual({ card: { cvv: '999' } })
    expect(patchOf({ ...start, expiresAt: '2029-03-31' }, start)).toEqual({ expiresAt: '2029-03-31' })

    const fresh = draftOf(undefined, 'Personal')
    expect(fresh.type).toBe('login')
    const asNote = withType({ ...fresh, password: 'suggested' }, 'note', 'suggested')
    expect(asNote.password).toBe('')
    expect(inputOf({ ...withType(fresh, 'card', ''), title: 'Visa', details: { brand: 'Visa' } })).toMatchObject({
      type: 'card',
      expiresAt: null,
      card: { brand: 'Visa' }
    })
    // a password someone typed stays when the type changes
    expect(withType({ ...fresh, password: 'typed' }, 'note', 'suggested').password).toBe('typed')
    // a stored login turned into a card keeps its password (the daemon keeps it too)
    expect(withType({ ...start, type: 'login', password: 'stored' }, 'card', undefined)).toMatchObject({
      type: 'card',
      details: {},
      password: 'stored'
    })
  })

  it('lists a card by brand and last digits, filters by type and by "expiring"', () => {
    const index = new ItemIndex([
      base,
      { ...base, id: 'n1', title: 'Alarm', type: 'note', card: undefined, notes: 'code 1234\nsecond line' },
      { ...base, id: 'l1', title: 'Old VPN', type: 'login', card: undefined, expiresAt: '2020-01-01T00:00:00.000Z' }
    ])
    expect(index.filter({ vault: '', section: 'all', query: '1111' }).map(i => i.id)).toEqual(['c1'])
    expect(index.filter({ vault: '', section: 'all', query: '737' })).toEqual([])
    expect(index.filter({ vault: '', section: 'type:note', query: '' }).map(i => i.id)).toEqual(['n1'])
    expect(index.filter({ vault: '', section: 'expiring', query: '' }).map(i => i.id)).toEqual(['l1'])
    expect(index.facets('')).toMatchObject({ types: expect.arrayContaining(['card', 'note', 'login']), expiring: 1 })
    expect(typedSummary(base)).toBe('Visa •••• 1111')
    expect(typedSummary({ ...base, type: 'note', card: undefined, notes: 'code 1234\nsecond line' })).toBe('code 1234')
  })
})
