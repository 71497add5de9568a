/** Older versions carried by imports: KeePass XML entry <History>, Bitwarden passwordHistory, 1PUX passwordHistory. */
import { zipSync } from 'fflate'
import kdbxweb from 'kdbxweb'
import { describe, expect, it } from 'vitest'
import { importers } from '../../daemon/interop/registry.js'
import { setUpKdbxweb } from '../../daemon/interop/kdbxSetup.js'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import { fixture } from './helpers.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('imported history', () => {
  it('KeePass XML: each older copy in <History> becomes a version, dated when the newer copy was made', async () => {
    const { items, warnings } = await importers['keepass-xml'](fixture('keepass-history.xml'), {})
    expect(warnings.join('\n')).not.toMatch(/history/)
    const bank = items.find(i => i.title === 'Bank')
    expect(bank?.password).toBe('third-Pw-2022')
    expect(bank?.history).toEqual([
      { at: '2021-02-02T11:00:00.000Z', changes: { password: ['first-Pw-2020', 'second-Pw-2021'] } },
      {
        at: '2022-03-03T12:00:00.000Z',
        changes: {
          username: ['ann', 'ann.b'],
          password: ['second-Pw-2021', 'third-Pw-2022'],
          fields: [[], [{ name: 'PIN', value: '4321', hidden: true }]]
        }
      }
    ])
    expect(items.find(i => i.title === 'Plain')?.history).toBeUndefined()
    // stored: the vault shows them as imported versions, newest first
    const doc = new VaultDoc(undefined, 'cd'.repeat(32))
    const id = doc.create(bank ?? { title: 'missing' })
    const history = doc.history(id)
    expect(history.map(v => [v.imported, v.device, v.at])).toEqual([
      [true, null, '2022-03-03T12:00:00.000Z'],
      [true, null, '2021-02-02T11:00:00.000Z']
    ])
  })

  it('KDBX: the entry history kdbxweb writes becomes versions', async () => {
    setUpKdbxweb()
    const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString('pw')), 'History')
    db.header.setVersion(3)
    const entry = db.createEntry(db.getDefaultGroup())
    entry.fields.set('Title', 'Mail')
    entry.fields.set('Password', kdbxweb.ProtectedValue.fromString('old-kdbx-pw'))
    entry.times.lastModTime = new Date('2021-01-01T00:00:00Z')
    entry.pushHistory()
    entry.fields.set('Password', kdbxweb.ProtectedValue.fromString('new-kdbx-pw'))
    entry.times.lastModTime = new Date('2022-01-01T00:00:00Z')
    const { items, warnings } = await importers.kdbx(new Uint8Array(await db.save()), { password: 'pw' })
    expect(warnings.join('\n')).not.toMatch(/history/)
    expect(items[0]?.history).toEqual([{ at: '2022-01-01T00:00:00.000Z', changes: { password: ['old-kdbx-pw', 'new-kdbx-pw'] } }])
  })

  it('Bitwarden JSON: passwordHistory becomes one version per old password', async () => {
    const file = {
      encrypted: false,
      folders: [],
      items: [
        {
          type: 1,
          name: 'Shop',
          login: { username: 'me', password: 'now-pw', uris: [] },
          passwordHistory: [
            { lastUsedDate: '2023-05-01T00:00:00.000Z', password: 'middle-pw' },
            { lastUsedDate: '2022-05-01T00:00:00.000Z', password: 'oldest-pw' }
          ]
        }
      ]
    }
    const { items, warnings } = await importers['bitwarden-json'](utf8(JSON.stringify(file)), {})
    expect(warnings.join('\n')).not.toMatch(/history/)
    expect(items[0]?.history).toEqual([
      { at: '2022-05-01T00:00:00.000Z', changes: { password: ['oldest-pw', 'middle-pw'] } },
      { at: '2023-05-01T00:00:00.000Z', changes: { password: ['middle-pw', 'now-pw'] } }
    ])
  })

  it('1PUX: details.passwordHistory (value, time in seconds) becomes versions', async () => {
    const item = {
      overview: { title: 'Forum' },
      updatedAt: 1700000000,
      details: {
        loginFields: [{ designation: 'password', value: 'pux-now', fieldType: 'P', name: 'password' }],
        passwordHistory: [{ value: 'pux-old', time: 1600000000 }]
      }
    }
    const data = { accounts: [{ attrs: {}, vaults: [{ attrs: { name: 'P' }, items: [item] }] }] }
    const pux = zipSync({ 'export.attributes': utf8('{"version":3}'), 'export.data': utf8(JSON.stringify(data)) })
    const { items, warnings } = await importers['1password-1pux'](pux, {})
    expect(warnings.join('\n')).not.toMatch(/history/)
    expect(items[0]?.password).toBe('pux-now')
    expect(items[0]?.history).toEqual([{ at: new Date(1600000000 * 1000).toISOString(), changes: { password: ['pux-old', 'pux-now'] } }])
  })
})
