import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ExportError, ImportError } from '../../daemon/interop/errors.js'
import { exportKithEncrypted } from '../../daemon/interop/kithEncrypted.js'
import { exporters, importers } from '../../daemon/interop/registry.js'
import type { ImportedItem } from '../../daemon/interop/types.js'
import type { Item } from '../../daemon/vault/Item.js'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import { fixture, normalise, utf8 } from './helpers.js'
import { KEEPASS_FIELDS, historyVault, noise, sha256, versionValues, type HistoryVault } from './historyVault.js'

/** Imported items stored in a fresh vault, as an import stores them: the versions they carry become imported versions. */
function stored(items: ImportedItem[]): { doc: VaultDoc; ids: string[] } {
  const doc = new VaultDoc(undefined, 'cd'.repeat(32))
  return { doc, ids: items.map(({ attachments: _files, vault: _vault, ...input }) => doc.create(input)) }
}

const byTitle = <T extends { title: string }>(list: T[], title: string): T => {
  const found = list.find(i => i.title === title)
  if (found === undefined) throw new Error(`no item '${title}'`)
  return found
}

/** Every item's files, by title, as name and SHA-256. */
const filesOf = (v: HistoryVault): Record<string, Array<[string, string]>> =>
  Object.fromEntries(v.items.map(i => [i.title, i.attachments.map(a => [a.name, sha256(v.files.get(a.id) as Uint8Array)])]))
const importedFilesOf = (items: ImportedItem[]): Record<string, Array<[string, string]>> =>
  Object.fromEntries(items.map(i => [i.title, (i.attachments ?? []).map(a => [a.name, sha256(a.data)])]))

/** Current fields, every version's values and every file's bytes are the same after `format`'s round trip. */
async function expectLossless(v: HistoryVault, items: ImportedItem[], warnings: string[]): Promise<void> {
  expect(warnings).toEqual([])
  expect(normalise(items)).toEqual(normalise(v.items))
  expect(items.map(i => [i.createdAt, i.updatedAt])).toEqual(v.items.map(i => [i.createdAt, i.updatedAt]))
  expect(importedFilesOf(items)).toEqual(filesOf(v))
  const back = stored(items)
  for (const [k, item] of v.items.entries()) {
    const history = back.doc.history(back.ids[k] as string)
    expect(versionValues(history), item.title).toEqual(versionValues(v.doc.history(item.id)))
    expect(history.every(h => h.imported)).toBe(true)
  }
}

describe('history and files in kith-json and kith-encrypted', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('kith-json: each item has its versions as the history API shows them and its files in base64; imported back, nothing differs', async () => {
    const v = historyVault()
    const bytes = await exporters['kith-json'](v.items, { ...v.options, vaultName: 'Personal' })
    const text = new TextDecoder().decode(bytes)
    const file = JSON.parse(text) as { items: Array<Record<string, unknown>> }
    // written piece by piece, laid out as JSON.stringify with 2 spaces would lay it out
    expect(text).toBe(JSON.stringify(file, null, 2) + '\n')
    const empty = new TextDecoder().decode(await exporters['kith-json']([], {}))
    expect(empty).toBe(JSON.stringify(JSON.parse(empty), null, 2) + '\n')
    const bank = byTitle(v.items, 'Bank — EU 🏦')
    const written = file.items.find(i => i.title === bank.title) as Record<string, unknown>
    expect(written.history).toEqual(v.doc.history(bank.id))
    expect((written.history as unknown[]).length).toBe(7)
    expect(written.attachments).toEqual(
      bank.attachments.map(a => ({
        name: a.name,
        size: a.size,
        sha256: a.sha256,
        data: Buffer.from(v.files.get(a.id) as Uint8Array).toString('base64')
      }))
    )
    expect(byTitle(file.items as unknown as Item[], 'No history')).toMatchObject({ history: [], attachments: [] })
    const back = await importers['kith-json'](bytes, {})
    expect(byTitle(back.items, 'Old forum').history).toEqual([
      { at: '2020-05-05T05:05:05.000Z', changes: { password: ['gone-1', 'gone-2'] } },
      { at: '2024-01-01T00:00:00.000Z', changes: { trashed: [false, true] } }
    ])
    await expectLossless(v, back.items, back.warnings)
  })

  it('kith-encrypted: the same history and files, sealed; imported back, nothing differs', async () => {
    const v = historyVault()
    const bytes = await exporters['kith-encrypted'](v.items, { ...v.options, password: 'correct horse battery' })
    expect(Buffer.from(bytes).includes(Buffer.from('first-Pw-2021'))).toBe(false)
    const back = await importers['kith-encrypted'](bytes, { password: 'correct horse battery' })
    await expectLossless(v, back.items, back.warnings)
  }, 20_000)

  it('each byte of a file is base64-encoded once, in slices (a 3 MB file is never one 4 MB string)', async () => {
    const big = noise(3 * 1024 * 1024, 11)
    const v = historyVault()
    const mail = byTitle(v.items, 'Mail')
    const info = { id: 'big', name: 'scan.tiff', size: big.length, sha256: sha256(big) }
    const items = [{ ...mail, attachments: [info] }]
    const files = new Map([['big', big]])
    const encoded: number[] = []
    const original = Buffer.prototype.toString
    vi.spyOn(Buffer.prototype, 'toString').mockImplementation(function (this: Buffer, ...args: unknown[]) {
      if (args[0] === 'base64') encoded.push(this.length)
      return original.apply(this, args as Parameters<Buffer['toString']>)
    })
    const attachmentData = async (_item: string, id: string): Promise<Uint8Array> => files.get(id) as Uint8Array
    const plain = await exporters['kith-json'](items, { attachmentData })
    expect(encoded.reduce((a, b) => a + b, 0)).toBe(big.length)
    expect(Math.max(...encoded)).toBeLessThanOrEqual(1024 * 1024)
    encoded.length = 0
    await exportKithEncrypted(items, { attachmentData, password: 'correct horse battery', kdf: { m: 65536, t: 3, p: 4 } })
    expect(encoded.reduce((a, b) => a + b, 0)).toBe(big.length)
    vi.restoreAllMocks()
    const back = await importers['kith-json'](plain, {})
    expect(sha256(back.items[0]?.attachments?.[0]?.data as Uint8Array)).toBe(info.sha256)
  }, 20_000)

  it('a file whose data does not match its size or SHA-256, or is not base64, is an ImportError naming the item and file', async () => {
    const v = historyVault()
    const text = new TextDecoder().decode(await exporters['kith-json'](v.items, v.options))
    const file = JSON.parse(text) as { items: Array<{ title: string; attachments: Array<Record<string, unknown>> }> }
    const damage = async (change: (f: Record<string, unknown>) => void): Promise<unknown> => {
      const copy = structuredClone(file)
      change(byTitle(copy.items, 'Mail').attachments[0] as Record<string, unknown>)
      return await importers['kith-json'](utf8(JSON.stringify(copy)), {}).catch((err: unknown) => err)
    }
    const flipped = await damage(f => {
      const data = Buffer.from(f.data as string, 'base64')
      data[100] = (data[100] as number) ^ 1
      f.data = data.toString('base64')
    })
    expect(flipped).toBeInstanceOf(ImportError)
    expect((flipped as ImportError).message).toMatch(/item 2 \('Mail'\), attachments\[0\] \("notes.txt"\).*does not match its "sha256"/)
    expect(
      await damage(f => {
        f.size = 4999
      })
    ).toMatchObject({ message: expect.stringMatching(/5000 bytes, not the 4999/) })
    expect(
      await damage(f => {
        f.data = `${f.data as string}!!!!`
      })
    ).toMatchObject({
      message: expect.stringMatching(/"data" must be base64/)
    })
    expect(
      await damage(f => {
        f.sha256 = 'nope'
      })
    ).toMatchObject({ message: expect.stringMatching(/"sha256" must be 64/) })
    expect(
      await damage(f => {
        f.name = ''
      })
    ).toMatchObject({ message: expect.stringMatching(/"name" must be a non-empty/) })
  })

  it('a version with a value of the wrong type is an ImportError; changes recorded without values, or of unknown fields, are warned', async () => {
    const item = (history: unknown): Uint8Array =>
      utf8(JSON.stringify({ format: 'kith-json', version: 1, items: [{ title: 'Shop', password: 'now', history }] }))
    const change = (c: Record<string, unknown>): unknown[] => [{ version: 'x.1', at: '2024-01-01T00:00:00.000Z', changes: [c] }]
    await expect(importers['kith-json'](item(change({ field: 'urls', from: 'a', to: ['b'], omitted: false })), {})).rejects.toThrow(
      /item 1 \('Shop'\), history\[0\], changes\[0\].*"urls" is not valid/
    )
    await expect(importers['kith-json'](item([{ at: 'yesterday', changes: [] }]), {})).rejects.toThrow(/"at" must be an ISO 8601 date/)
    await expect(importers['kith-json'](item({}), {})).rejects.toThrow(/"history" must be an array/)
    const back = await importers['kith-json'](
      item([
        ...change({ field: 'notes', from: null, to: null, omitted: true }),
        ...change({ field: 'colour', from: 'red', to: 'blue', omitted: false }),
        ...change({ field: 'password', from: 'before', to: 'now', omitted: false })
      ]),
      {}
    )
    expect(back.items[0]?.history).toEqual([{ at: '2024-01-01T00:00:00.000Z', changes: { password: ['before', 'now'] } }])
    expect(back.warnings).toEqual([
      '1 history change(s) recorded without their values (too large to keep) were not imported',
      'history changes of unknown fields were not imported: colour'
    ])
  })

  it('fixtures written by this layout (kith-json and kith-encrypted) keep importing with their versions and file', async () => {
    for (const [name, password] of [
      ['kith-history-attachments.kith.json', undefined],
      ['kith-history-attachments.kith', 'fixture password']
    ] as const) {
      const format = name.endsWith('.json') ? 'kith-json' : 'kith-encrypted'
      const back = await importers[format](fixture(name), { password })
      expect(back.warnings, name).toEqual([])
      const [router] = back.items
      expect(router, name).toMatchObject({ title: 'Router', vault: 'Home', password: 'Str0nger-2023', tags: ['home'] })
      expect(router?.history, name).toEqual([
        {
          at: '2023-04-05T06:07:08.000Z',
          changes: { password: ['factory-default', 'Str0nger-2023'], notes: ['', 'changed after the move'] }
        },
        { at: '2024-05-06T07:08:09.000Z', changes: { tags: [[], ['home']] } }
      ])
      expect(
        router?.attachments?.map(a => [a.name, new TextDecoder().decode(a.data)]),
        name
      ).toEqual([['router-backup.cfg', 'router backup config\nssid=home\n']])
    }
  }, 20_000)

  it('files written before history and attachments existed still import, with neither', async () => {
    const old = utf8(JSON.stringify({ format: 'kith-json', version: 1, vault: 'Personal', items: [{ title: 'Old', password: 'pw' }] }))
    const back = await importers['kith-json'](old, {})
    expect(back.warnings).toEqual([])
    expect(back.items[0]).toMatchObject({ title: 'Old', password: 'pw' })
    expect(back.items[0]?.history).toBeUndefined()
    expect(back.items[0]?.attachments).toBeUndefined()
  })

  it('an export never leaves a file out quietly: no way to read files, or damaged bytes, is an ExportError', async () => {
    const v = historyVault()
    for (const format of ['kith-json', 'keepass-xml'] as const) {
      await expect(exporters[format](v.items, {})).rejects.toThrow(ExportError)
      await expect(exporters[format](v.items, {})).rejects.toThrow(/"statement.pdf" of 'Bank — EU 🏦' cannot be read/)
      const damaged = async (_item: string, id: string): Promise<Uint8Array> => {
        const data = Uint8Array.from(v.files.get(id) as Uint8Array)
        if (data.length > 0) data[0] = (data[0] as number) ^ 1
        return data
      }
      await expect(exporters[format](v.items, { attachmentData: damaged })).rejects.toThrow(/does not match its record/)
    }
    await expect(exporters['kith-encrypted'](v.items, { password: 'correct horse battery' })).rejects.toThrow(ExportError)
  })
})

describe('history and files in keepass-xml', () => {
  it('files are in Meta/Binaries (gzip, base64, each once), entries refer to them by name; older copies are the entry History', async () => {
    const v = historyVault()
    const xml = new TextDecoder().decode(await exporters['keepass-xml'](v.items, v.options))
    const pool = [...xml.matchAll(/<Binary ID="(\d+)" Compressed="True">([^<]*)<\/Binary>/g)].map(m =>
      sha256(gunzipSync(Buffer.from(m[2] as string, 'base64')))
    )
    const bank = byTitle(v.items, 'Bank — EU 🏦')
    const mail = byTitle(v.items, 'Mail')
    expect(pool).toEqual([...bank.attachments, ...mail.attachments].map(a => sha256(v.files.get(a.id) as Uint8Array)))
    expect(xml).toContain(
      '<Binary><Key>statement.pdf</Key><Value Ref="0"/></Binary><Binary><Key>notes.txt</Key><Value Ref="1"/></Binary>' +
        '<Binary><Key>empty.bin</Key><Value Ref="2"/></Binary>'
    )
    expect(xml).toContain('<Binary><Key>notes.txt</Key><Value Ref="3"/></Binary>')
    // Bank: 7 versions, one of which (the folder) changes nothing a copy shows
    const bankEntry = xml.slice(xml.indexOf('<Value>Bank — EU 🏦</Value>'))
    const history = bankEntry.slice(bankEntry.indexOf('<History>'), bankEntry.indexOf('</History>'))
    expect([...history.matchAll(/<Key>Password<\/Key><Value ProtectInMemory="True">([^<]*)</g)].map(m => m[1])).toEqual([
      'first-Pw-2021',
      'second-Pw-2021',
      'second-Pw-2021',
      'third-Pw-2022',
      'third-Pw-2022',
      'third-Pw-2022'
    ])
    expect([...history.matchAll(/<LastModificationTime>([^<]*)</g)].map(m => m[1])).toEqual([
      '2021-01-01T00:00:00Z',
      '2021-06-01T10:00:00Z',
      '2022-01-01T11:00:00Z',
      '2022-06-01T12:00:00Z',
      '2023-01-01T13:00:00Z',
      '2023-06-01T14:00:00Z'
    ])
    expect(xml).not.toContain('<HistoryMaxItems>')
  })

  it('imported back into Kith: the same current fields and the versions of what a KeePass copy shows, to the second', async () => {
    const v = historyVault()
    const back = await importers['keepass-xml'](await exporters['keepass-xml'](v.items, v.options), {})
    const items = back.items.map(({ attachments: _files, ...i }) => i)
    expect(normalise(items, { sortItems: true })).toEqual(normalise(v.items, { sortItems: true }))
    const again = stored(back.items)
    for (const item of v.items) {
      const k = back.items.findIndex(i => i.title === item.title)
      expect(versionValues(again.doc.history(again.ids[k] as string)), item.title).toEqual(
        versionValues(v.doc.history(item.id), KEEPASS_FIELDS)
      )
    }
  })

  it('two files of one entry with the same name get distinct keys; more copies than KeePass keeps raise HistoryMaxItems', async () => {
    const doc = new VaultDoc(undefined, 'ef'.repeat(32))
    const id = doc.create({ title: 'Many', password: 'pw-0' }, new Date('2020-01-01T00:00:00Z'))
    for (let n = 1; n <= 12; n++) doc.update(id, { password: `pw-${n}` }, new Date(Date.UTC(2020, 1, n)))
    const data = utf8('same name')
    const info = (k: number) => ({ id: `f${k}`, name: k === 2 ? '' : 'scan.pdf', size: data.length, sha256: sha256(data) })
    const item = { ...(doc.get(id) as Item), attachments: [info(0), info(1), info(2), { ...info(3), name: 'README' }, info(4)] }
    const xml = new TextDecoder().decode(
      await exporters['keepass-xml']([item], { attachmentData: async () => data, historyOf: () => doc.history(id) })
    )
    expect([...xml.matchAll(/<Binary><Key>([^<]*)<\/Key><Value Ref="(\d)"/g)].map(m => [m[1], m[2]])).toEqual([
      ['scan.pdf', '0'],
      ['scan (2).pdf', '0'],
      ['Attachment', '0'],
      ['README', '0'],
      ['scan (3).pdf', '0']
    ])
    expect(xml.match(/<Binary ID=/g)).toHaveLength(1)
    expect(xml).toContain('<HistoryMaxItems>12</HistoryMaxItems>')
  })
})
