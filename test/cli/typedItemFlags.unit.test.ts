/** `kith add/edit` typed flags: names resolved in the item's type, secrets refused on the command line, card expiry as MM/YYYY; list/show text. */
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../../daemon/cli/args.js'
import { addTypedFlags, expiryNote, typedLines, typeFlag } from '../../daemon/cli/typedItemFlags.js'
import type { ItemPatchBody } from '../../daemon/api/schemas.js'
import type { Item } from '../../daemon/vault/Item.js'

const body = (argv: string[], type: Parameters<typeof addTypedFlags>[2], stdin: string[] = []): ItemPatchBody => {
  const out: ItemPatchBody = {}
  addTypedFlags(parseArgs(argv), out, type, stdin)
  return out
}

describe('typed item flags', () => {
  it('builds the typed section from --detail, --detail-stdin (in order) and expiry=MM/YYYY; --expires never clears', () => {
    expect(
      body(
        [
          '--type',
          'card',
          '--detail',
          'brand=Visa',
          '--detail',
          'expiry=3/2029',
          '--detail-stdin',
          'number',
          '--detail-stdin',
          'card.cvv',
          '--expires',
          'never'
        ],
        'card',
        ['4111111111111111', '737']
      )
    ).toEqual({
      type: 'card',
      expiresAt: null,
      card: { brand: 'Visa', expMonth: '3', expYear: '2029', number: '4111111111111111', cvv: '737' }
    })
    expect(typeFlag(parseArgs(['--type', 'ssh-key']))).toBe('sshKey')
    expect(typeFlag(parseArgs(['--type', 'secure-note']))).toBe('note')
  })

  it('refuses a secret typed field in argv, a field the type does not have, typed fields on a login, and an unknown type', () => {
    expect(() => body(['--detail', 'number=4111111111111111'], 'card')).toThrow(/number is secret: give it with --detail-stdin number/)
    expect(() => body(['--detail', 'ssn=078-05-1120'], 'identity')).toThrow(/ssn is secret/)
    expect(() => body(['--detail', 'pin=1234'], 'card')).toThrow(/a card has no field "pin"; its fields: cardholder, brand/)
    expect(() => body(['--detail', 'identity.email=x@example.com'], 'card')).toThrow(/a card has no field "identity.email"/)
    expect(() => body(['--detail', 'brand=Visa'], 'login')).toThrow(/items of type login have no typed fields/)
    expect(() => typeFlag(parseArgs(['--type', 'wallet']))).toThrow(/--type takes one of login, note, card, identity, ssh-key, other/)
  })

  it('shows secrets masked and says expired / expires soon', () => {
    const card: Item = {
      id: 'c1',
      vault: 'Personal',
      attachments: [],
      title: 'Visa',
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
      createdAt: '',
      updatedAt: '',
      type: 'card',
      expiresAt: null,
      card: { cardholder: 'Jane', brand: 'Visa', number: '4111111111111111', expMonth: '1', expYear: '2020', cvv: '737' }
    }
    const text = typedLines(card).join('\n')
    expect(text).toContain('number: ********')
    expect(text).toContain('cvv: ********')
    expect(text).not.toContain('4111')
    expect(text).toContain('(expired 2020-01)')
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString()
    expect(expiryNote({ ...card, expiresAt: soon })).toBe(`expires soon (${soon.slice(0, 10)})`)
  })
})
