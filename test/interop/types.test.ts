/** Item types and expiry through every format that carries them: Bitwarden JSON (types 2–5), KeePass (convention + native expiry), kith-json/-encrypted, 1PUX categories, CSV. */
import { describe, expect, it } from 'vitest'
import { exporters, importers } from '../../daemon/interop/registry.js'
import { splitDuplicates } from '../../daemon/interop/dedupe.js'
import { corpusAvailable, corpusFile, fixture, FINGERPRINT, normalise, PUBLIC_KEY, typedItems } from './helpers.js'

describe('typed items across formats', () => {
  it('kith-json and kith-encrypted carry types, typed fields and expiry exactly', async () => {
    const items = typedItems()
    for (const format of ['kith-json', 'kith-encrypted'] as const) {
      const bytes = await exporters[format](items, { password: 'correct horse' })
      const back = await importers[format](bytes, { password: 'correct horse' })
      expect(back.warnings, format).toEqual([])
      expect(normalise(back.items), format).toEqual(normalise(items))
    }
  }, 20_000)

  it('kith-json from before types reads as logins; a bad typed value fails with the item named', async () => {
    const file = (item: object): Uint8Array => new TextEncoder().encode(JSON.stringify({ format: 'kith-json', version: 1, items: [item] }))
    const old = await importers['kith-json'](file({ title: 'Old', username: 'u' }), {})
    expect(old.items[0]).toMatchObject({ type: 'login', expiresAt: null })
    await expect(importers['kith-json'](file({ title: 'Bad', type: 'card', card: { expMonth: '13' } }), {})).rejects.toThrow(
      /item 1 \('Bad'\).*card\.expMonth must be a month from 1 to 12|card\.expMonth must be a month from 1 to 12.*item 1/
    )
  })

  it('Bitwarden JSON: cards (3), identities (4), SSH keys (5) and notes (2) both ways; "other" goes as a note, expiry is not carried', async () => {
    const items = typedItems()
    const bytes = await exporters['bitwarden-json'](items, {})
    const file = JSON.parse(new TextDecoder().decode(bytes)) as { items: Array<Record<string, unknown>> }
    expect(file.items.map(i => i.type)).toEqual([3, 4, 5, 2, 2, 1])
    expect(file.items[0]?.card).toEqual({
      cardholderName: 'Jane Doe',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '3',
      expYear: '2029',
      code: '737'
    })
    expect(file.items[1]?.identity).toMatchObject({ title: 'Dr', firstName: 'Jane', middleName: null, username: 'jdoe' })
    expect(file.items[2]?.sshKey).toMatchObject({ publicKey: PUBLIC_KEY, keyFingerprint: FINGERPRINT })
    const back = await importers['bitwarden-json'](bytes, {})
    expect(back.warnings).toEqual([])
    const expected = items.map(i => ({ ...i, expiresAt: null, type: i.type === 'other' ? ('note' as const) : i.type }))
    expect(normalise(back.items)).toEqual(normalise(expected))
  })

  it('Bitwarden JSON fixture: typed fields land in their sections; a value Kith cannot read stays as a custom field, with a warning', async () => {
    const { items, warnings } = await importers['bitwarden-json'](fixture('bitwarden-typed.json'), {})
    expect(items.map(i => i.type)).toEqual(['card', 'card', 'identity', 'sshKey', 'note'])
    expect(items[0]).toMatchObject({
      title: 'Everyday Visa',
      folder: 'Wallet',
      favorite: true,
      card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' },
      fields: [{ name: 'PIN', value: '4321', hidden: true }]
    })
    expect(items[1]?.card).toMatchObject({ brand: 'Amex', number: '378282246310005', expMonth: '', expYear: '2030' })
    expect(items[1]?.fields).toEqual([{ name: 'Expiry month', value: '13', hidden: false }])
    expect(warnings.join('\n')).toMatch(/could not read.*kept as custom fields \(1\): 'Odd card'/)
    expect(items[2]).toMatchObject({ username: '', identity: { honorific: 'Dr', firstName: 'Jane', ssn: '078-05-1120', username: 'jdoe' } })
    expect(items[3]?.sshKey).toMatchObject({ publicKey: PUBLIC_KEY, fingerprint: FINGERPRINT })
    expect(items[4]).toMatchObject({ type: 'note', notes: '1 2 3 4, then #' })
  })

  it('KeePass XML: types by the kith-type convention and expiry in KeePass’s own Times, both ways', async () => {
    const items = typedItems()
    const bytes = await exporters['keepass-xml'](items, {})
    const xml = new TextDecoder().decode(bytes)
    expect(xml).toContain('<String><Key>kith-type</Key><Value>card</Value></String>')
    expect(xml).toContain('<String><Key>card.number</Key><Value ProtectInMemory="True">4111111111111111</Value></String>')
    expect(xml).toContain('<ExpiryTime>2029-03-31T00:00:00Z</ExpiryTime><Expires>True</Expires>')
    const back = await importers['keepass-xml'](bytes, {})
    expect(back.warnings).toEqual([])
    expect(normalise(back.items, { sortItems: true })).toEqual(normalise(items, { sortItems: true }))
  })

  it('KeePass XML fixture: expiry dates are imported (no "not kept" warning); typed strings only count with kith-type', async () => {
    const { items, warnings } = await importers['keepass-xml'](fixture('keepass-typed-expiry.xml'), {})
    expect(warnings.join('\n')).not.toMatch(/expir/)
    expect(items.map(i => [i.title, i.type, i.expiresAt])).toEqual([
      ['Old VPN', 'login', '2025-06-30T12:00:00.000Z'],
      ['Not expiring', 'login', null],
      ['Everyday Visa', 'card', '2029-03-31T00:00:00.000Z'],
      ['No convention', 'login', null]
    ])
    expect(items[2]).toMatchObject({
      card: { cardholder: 'Jane Doe', number: '4111111111111111', cvv: '737', expMonth: '3', expYear: '2029' },
      fields: [{ name: 'PIN', value: '4321', hidden: true }]
    })
    expect(items[3]?.fields).toEqual([{ name: 'card.number', value: 'just a custom field', hidden: false }])
  })

  it('CSV: typed fields travel as "Label: value" lines of the fields column; notes are note rows', async () => {
    const csv = new TextDecoder().decode(await exporters.csv(typedItems(), {}))
    expect(csv).toContain('Cardholder: Jane Doe\nBrand: Visa\nNumber: 4111111111111111')
    expect(csv).toMatch(/\nnote,Alarm code|,note,Alarm code/)
  })

  it.skipIf(!corpusAvailable())(
    '1PUX: Credit Card and Identity categories become cards and identities; others become "other"',
    async () => {
      const { items, warnings } = await importers['1password-1pux'](corpusFile('1password/keepassxc-1PasswordExport.1pux'), {})
      const byTitle = new Map(items.map(i => [i.title, i]))
      expect(byTitle.get('Credit Card')).toMatchObject({
        type: 'card',
        card: { cardholder: 'KeePassXC', brand: 'Mastercard', number: '1234567890', cvv: '123', expMonth: '6', expYear: '2022' }
      })
      expect(byTitle.get('Credit Card')?.fields.map(f => f.name)).not.toContain('number')
      expect(byTitle.get('Identity')).toMatchObject({
        type: 'identity',
        identity: {
          firstName: 'KeePass',
          lastName: 'XC',
          address1: '123 Avenue Rd',
          city: 'Boston',
          state: 'MA',
          postalCode: '12345',
          country: 'us'
        }
      })
      expect(byTitle.get('Secure Note')?.type).toBe('note')
      expect(byTitle.get('UUID 005 Password')?.type).toBe('login')
      expect(byTitle.get('Home Wifi')?.type).toBe('other')
      expect(warnings.join('\n')).toMatch(/no type for became items of type "other".*'Home Wifi'/)
      expect(warnings.join('\n')).not.toMatch(/'Credit Card' \(Credit Card\)/)
    }
  )

  it('re-import: the same card is skipped, another card with the same title is not', () => {
    const [visa] = typedItems()
    if (visa?.card === undefined) throw new Error('fixture')
    const other = { ...visa, card: { ...visa.card, number: '5555555555554444' } }
    const { fresh, skipped } = splitDuplicates([visa], [visa, other])
    expect(skipped).toEqual([visa])
    expect(fresh).toEqual([other])
  })
})
