/** Export then import gives identical items for kith-json, kith-encrypted, Bitwarden JSON and KeePass XML; CSV keeps what it can. */
import { describe, expect, it } from 'vitest'
import { exporters, importers } from '../../daemon/interop/registry.js'
import { exportKithEncrypted } from '../../daemon/interop/kithEncrypted.js'
import { KITH_JSON_VERSION } from '../../daemon/interop/kithJson.js'
import { normalise, trickyItems } from './helpers.js'

const items = trickyItems()

describe('round trips', () => {
  it('kith-json: identical, with times to the millisecond', async () => {
    const bytes = await exporters['kith-json'](items, { vaultName: 'Personal' })
    const file = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    expect(file).toMatchObject({ format: 'kith-json', version: KITH_JSON_VERSION, vault: 'Personal' })
    const back = await importers['kith-json'](bytes, {})
    expect(back.warnings).toEqual([])
    expect(back.items.map(i => [i.createdAt, i.updatedAt])).toEqual(items.map(i => [i.createdAt, i.updatedAt]))
    expect(normalise(back.items)).toEqual(normalise(items))
  })

  it("kith-json: each item names the vault it came from; older files without it use the file's vault", async () => {
    const mixed = items.map((item, i) => ({ ...item, vault: i % 2 === 0 ? 'Personal' : 'Work' }))
    const back = await importers['kith-json'](await exporters['kith-json'](mixed, {}), {})
    expect(back.warnings).toEqual([])
    expect(back.items.map(i => i.vault)).toEqual(mixed.map(i => i.vault))
    const older = (vault: string | null, itemVault?: string): Uint8Array =>
      new TextEncoder().encode(
        JSON.stringify({
          format: 'kith-json',
          version: 1,
          vault,
          items: [{ title: 'a', ...(itemVault !== undefined ? { vault: itemVault } : {}) }]
        })
      )
    expect((await importers['kith-json'](older('Family'), {})).items[0]?.vault).toBe('Family')
    expect((await importers['kith-json'](older('Family', ' Work '), {})).items[0]?.vault).toBe('Work')
    expect((await importers['kith-json'](older(''), {})).items[0]?.vault).toBeUndefined()
    expect((await importers['kith-json'](older(null), {})).items[0]?.vault).toBeUndefined()
    await expect(
      importers['kith-json'](new TextEncoder().encode('{"format":"kith-json","version":1,"vault":7,"items":[]}'), {})
    ).rejects.toThrow(/"vault" must be a string/)
    await expect(importers['kith-json'](older('', 7 as unknown as string), {})).rejects.toThrow(/"vault" must be a string/)
  })

  it('kith-encrypted: identical; the header and parameters are as documented', async () => {
    const bytes = await exporters['kith-encrypted'](items, { password: 'correct horse', vaultName: 'Personal' })
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('KITHENC')
    expect(bytes[7]).toBe(1)
    expect(bytes[8]).toBe(1)
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect([view.getUint32(9), view.getUint32(13), view.getUint32(17)]).toEqual([65536, 3, 4])
    expect(view.getUint32(37)).toBe(bytes.length - 65)
    const back = await importers['kith-encrypted'](bytes, { password: 'correct horse' })
    expect(normalise(back.items)).toEqual(normalise(items))
  }, 10_000)

  it('kith-encrypted refuses to export without a password or below the Argon2id floor', async () => {
    await expect(exporters['kith-encrypted'](items, {})).rejects.toThrow(/password is required/)
    await expect(exportKithEncrypted(items, { password: 'x', kdf: { m: 1024, t: 1, p: 1 } })).rejects.toThrow(/below the floor/)
  })

  it('bitwarden-json: identical (tags travel as a kith.tags field, trash as deletedDate)', async () => {
    const bytes = await exporters['bitwarden-json'](items, {})
    const file = JSON.parse(new TextDecoder().decode(bytes)) as {
      encrypted: boolean
      folders: Array<{ name: string }>
      items: Array<Record<string, unknown>>
    }
    expect(file.encrypted).toBe(false)
    expect(file.folders.map(f => f.name)).toEqual(['Money', 'Money/Banks', 'Money/Banks/EU', 'Work', 'Work/Old'])
    expect(file.items.map(i => i.type)).toEqual([1, 1, 1, 1, 2, 2, 1])
    const back = await importers['bitwarden-json'](bytes, {})
    expect(back.warnings).toEqual([])
    expect(normalise(back.items)).toEqual(normalise(items))
  })

  it('keepass-xml: identical (favourite kept in entry CustomData, trash in the Recycle Bin)', async () => {
    const bytes = await exporters['keepass-xml'](items, { vaultName: 'My <Vault> & co' })
    const xml = new TextDecoder().decode(bytes)
    expect(xml).toContain('<Name>My &lt;Vault&gt; &amp; co</Name>')
    expect(xml).toContain('<Key>Password</Key><Value ProtectInMemory="True">')
    expect(xml).toContain('<Key>KP2A_URL_2</Key>')
    const back = await importers['keepass-xml'](bytes, {})
    expect(back.warnings).toEqual([])
    expect(normalise(back.items, { sortItems: true })).toEqual(normalise(items, { sortItems: true }))
  })

  it('keepass-xml: colliding or reserved field names are renamed, not lost', async () => {
    const [first] = trickyItems()
    if (first === undefined) throw new Error('no items')
    const item = {
      ...first,
      fields: [
        { name: 'Password', value: 'a', hidden: false },
        { name: 'PIN', value: '1', hidden: true },
        { name: 'PIN', value: '2', hidden: true },
        { name: '', value: 'x', hidden: false }
      ]
    }
    const back = await importers['keepass-xml'](await exporters['keepass-xml']([item], {}), {})
    expect(back.items[0]?.password).toBe(item.password)
    expect(back.items[0]?.fields).toEqual([
      { name: 'Password (2)', value: 'a', hidden: false },
      { name: 'PIN', value: '1', hidden: true },
      { name: 'PIN (2)', value: '2', hidden: true },
      { name: 'Field', value: 'x', hidden: false }
    ])
  })

  it('csv: Bitwarden-compatible; re-imported as bitwarden-csv it keeps all but hidden flags, trash and times', async () => {
    const bytes = await exporters.csv(items, {})
    const text = new TextDecoder().decode(bytes)
    expect(text.split('\r\n')[0]).toBe('folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp')
    const back = await importers['bitwarden-csv'](bytes, {})
    const live = items.filter(i => !i.trashed)
    const expected = normalise(live, { times: false }).map(i => ({ ...i, fields: i.fields.map(f => ({ ...f, hidden: false })) }))
    expect(normalise(back.items, { times: false })).toEqual(expected)
  })
})
