/** Hand-made nasty files under test/fixtures/interop/: BOM, CRLF, semicolons, short rows, UTF-16, Unicode, quotes, embedded newlines, every TOTP form. */
import { describe, expect, it } from 'vitest'
import { importers } from '../../daemon/interop/registry.js'
import { fixture } from './helpers.js'

describe('nasty fixtures', () => {
  it('Bitwarden CSV with a BOM, `;` separators, CRLF inside and between rows, quotes and a spaced lower-case TOTP secret', async () => {
    const { items, warnings } = await importers['bitwarden-csv'](fixture('bitwarden-bom-semicolon-crlf.csv'), {})
    expect(items).toHaveLength(3)
    expect(items[0]).toMatchObject({
      title: 'Crédit Agricole; "CA"',
      username: 'jean;dupont',
      password: 'p;a"ss',
      folder: 'Perso/Banque',
      favorite: true,
      urls: ['https://ca.example/', 'https://m.ca.example/'],
      notes: 'Ligne 1\nLigne 2 ; avec point-virgule\n"cité"',
      fields: [
        { name: 'PIN', value: '1234', hidden: false },
        { name: 'Question', value: 'Nom du chien ?', hidden: false }
      ]
    })
    expect(items[0]?.totp).toMatch(/^otpauth:\/\/totp\/.*[?&]secret=JBSWY3DPEHPK3PXP(&|$)/)
    expect(items[1]).toMatchObject({ title: 'Note 日本語 🗾', notes: '複数行\nのメモ', urls: [], folder: '' })
    expect(items[2]).toMatchObject({ title: 'Empty password', password: '', folder: 'Perso' })
    expect(warnings.join('\n')).toMatch(/hidden/)
  })

  it('Chrome CSV with short rows (padded, with a warning naming the rows), a blank line and an Android credential', async () => {
    const { items, warnings } = await importers['chrome-csv'](fixture('chrome-short-rows.csv'), {})
    expect(items.map(i => [i.title, i.username, i.password, i.urls[0], i.notes])).toEqual([
      ['example.com', 'alice', 'pw1', 'https://example.com/', ''],
      ['com.example.app', 'bob', 'pw2', 'androidapp://com.example.app', 'note with, comma'],
      ['quoted "title"', 'carol', 'pa,ss', 'https://q.example/', ''],
      ['last.example', 'dave', 'pw4', 'https://last.example/', 'final note']
    ])
    expect(warnings).toEqual(['rows had fewer cells than the header (5); the missing cells were read as empty (2): row 2, row 4'])
  })

  it('UTF-16 LE with a BOM (Excel "Unicode text") is decoded', async () => {
    const { items } = await importers['chrome-csv'](fixture('chrome-utf16le.csv'), {})
    expect(items).toMatchObject([{ title: 'Café', username: 'zoë', notes: 'ünï' }])
  })

  it('LastPass CSV with Unicode, `\\` sub-folders, favourites, a TOTP secret and a quoted multi-line secure note', async () => {
    const { items } = await importers['lastpass-csv'](fixture('lastpass-unicode.csv'), {})
    expect(items[0]).toMatchObject({
      title: 'Zürich Bank',
      username: 'züri',
      password: 'pä,ss',
      folder: 'Finanzen/Schweiz',
      favorite: true,
      notes: 'Notiz mit "Anführung"\nzweite Zeile'
    })
    expect(items[0]?.totp).toContain('secret=JBSWY3DPEHPK3PXP')
    expect(items[1]).toMatchObject({
      title: 'Secure thing',
      urls: [],
      notes: 'Just a note\nwith "quotes", commas, and émojis 🎉',
      folder: 'Notes'
    })
    expect(items[2]).toMatchObject({ title: 'plain.example', folder: '' })
  })

  it('KeePassXC CSV with doubled quotes, embedded newlines, TOTP, the root group and the Recycle Bin', async () => {
    const { items } = await importers['keepass-csv'](fixture('keepassxc-quotes.csv'), {})
    expect(items.map(i => [i.title, i.password, i.folder, i.trashed])).toEqual([
      ['VPN "prod"', 'x"y,z', 'Work/Acme Corp', false],
      ['Root entry', 'pw', '', false],
      ['Deleted', 'pw', '', true]
    ])
    expect(items[0]).toMatchObject({
      notes: 'line 1\nline 2, with comma\n"quoted"',
      createdAt: '2022-01-02T03:04:05.000Z',
      updatedAt: '2023-01-02T03:04:05.000Z'
    })
    expect(items[0]?.totp).toBe('otpauth://totp/VPN:ann?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=VPN')
  })

  it('1Password CSV: tags, favourite, archived → trash (warned), OTPAuth, an extra column kept as a field', async () => {
    const { items, warnings } = await importers['1password-csv'](fixture('onepassword-tags.csv'), {})
    expect(items[0]).toMatchObject({
      title: 'GitHub',
      password: 'pa"ss',
      tags: ['dev', 'work'],
      favorite: true,
      trashed: false,
      notes: 'multi\nline',
      fields: [{ name: 'Security answer', value: 'blue', hidden: false }]
    })
    expect(items[1]).toMatchObject({ title: 'Old', trashed: true })
    expect(warnings.join('\n')).toMatch(/archived.*'Old'/)
  })

  it('KeePass XML: otp, legacy TOTP Seed/Settings (8 digits, Steam), KeeOtp, KeePass TimeOtp, KP2A_URL, tabs, Recycle Bin with PreviousParentGroup', async () => {
    const { items, warnings } = await importers['keepass-xml'](fixture('keepass-totp-groups.xml'), {})
    const by = new Map(items.map(i => [i.title, i]))
    expect(by.get('Modern otp')).toMatchObject({
      urls: ['https://a.example', 'https://b.example', 'https://c.example'],
      notes: '\ttabbed\tnote\nsecond line',
      tags: ['email', 'work', '2fa'],
      folder: '',
      totp: 'otpauth://totp/Modern:ann?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=Modern',
      fields: [{ name: 'Recovery codes', value: '1111 2222', hidden: true }]
    })
    expect(by.get('Modern otp')?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(by.get('Legacy 8 digits')).toMatchObject({ folder: 'Work/Acme', fields: [] })
    expect(by.get('Legacy 8 digits')?.totp).toMatch(/secret=GEZDGNBVGY3TQOJQ&.*algorithm=SHA1&digits=8&period=60$/)
    expect(by.get('Legacy Steam')?.totp).toMatch(/secret=STEAMSECRET234&.*digits=5&period=30&encoder=steam$/)
    expect(by.get('KeeOtp')?.totp).toMatch(/secret=JBSWY3DPEHPK3PXP&.*algorithm=SHA256&digits=8&period=45$/)
    expect(by.get('KeePass 2.47 TimeOtp')).toMatchObject({ fields: [] })
    expect(by.get('KeePass 2.47 TimeOtp')?.totp).toMatch(/secret=JBSWY3DPEHPK3PXP&.*algorithm=SHA512&digits=7&period=40$/)
    expect(by.get('Deleted from Acme')).toMatchObject({ trashed: true, folder: 'Work/Acme', password: 'old' })
    expect(by.get('Deleted, origin unknown')).toMatchObject({
      trashed: true,
      folder: '',
      totp: null,
      fields: [{ name: 'TOTP', value: 'not a secret!', hidden: true }]
    })
    expect(warnings.join('\n')).toMatch(/TOTP.*'Deleted, origin unknown'/)
  })
})
