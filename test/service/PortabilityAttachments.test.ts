/**
 * PortabilityService stores the files an import carries through its AttachmentsPort: each file goes to the item
 * created for its entry (ids from createItems, in order), byte for byte; items skipped as already present bring no
 * files; a file the port refuses is a warning naming the item and the file, the rest are stored.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type AttachmentsPort, PortabilityService } from '../../daemon/service/PortabilityService.js'
import type { AttachmentInfo } from '../../daemon/vault/Item.js'
import { fixture } from '../interop/helpers.js'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')
const source = (name: string): string => sha256(fixture(`attachments/${name}`))

/** Records every `add`; refuses the file names in `refuse` with an error of its own. */
class FakeAttachments implements AttachmentsPort {
  readonly added: Array<{ itemId: string; name: string; sha256: string; size: number }> = []
  constructor(private readonly refuse: string[] = []) {}

  async add(itemId: string, name: string, data: Uint8Array): Promise<AttachmentInfo> {
    if (this.refuse.includes(name)) throw new Error(`${name} is not welcome here`)
    const info = { id: `att${this.added.length}`, name, size: data.length, sha256: sha256(data) }
    this.added.push({ itemId, name, sha256: info.sha256, size: info.size })
    return info
  }

  async read(): Promise<Uint8Array> {
    throw new Error('imports never read')
  }
}

/** A device as compose.ts builds it: its PortabilityService stores files in its attachment store (sealed chunks). */
async function storingDevice() {
  const { service, device: parts } = await memoryService()
  await service.init(PASSWORD)
  return { service, attachments: parts.attachments, portability: parts.portability }
}

async function device(port?: AttachmentsPort) {
  const { service, device: parts } = await memoryService()
  await service.init(PASSWORD)
  return { service, portability: new PortabilityService(parts.items, port) }
}

describe('PortabilityService stores imported files through its AttachmentsPort', () => {
  it('each file goes to the item made for its entry, byte for byte; a second import stores nothing again', async () => {
    const port = new FakeAttachments()
    const { service, portability } = await device(port)
    const summary = await portability.import('1password-1pux', fixture('onepassword-attachments.1pux'), { vault: 'Imported' })
    expect(summary).toMatchObject({ imported: 4, skipped: 0, vault: 'Imported', attachments: 6 })

    const idOf = Object.fromEntries(service.listItems({ vault: 'Imported' }).map(i => [i.title, i.id]))
    expect(new Set(Object.values(idOf)).size).toBe(4)
    expect(port.added).toEqual([
      { itemId: idOf['Passport scan'], name: 'passport.png', sha256: source('passport.png'), size: 20008 },
      { itemId: idOf['Server keys'], name: 'id_ed25519', sha256: source('id_ed25519'), size: 141 },
      { itemId: idOf['Server keys'], name: 'reçu café.pdf', sha256: source('recu.pdf'), size: 61209 },
      { itemId: idOf['Server keys'], name: 'notes.txt', sha256: source('notes.txt'), size: 58 },
      { itemId: idOf['Server keys'], name: 'notes (2).txt', sha256: source('notes-2.txt'), size: 49 },
      { itemId: idOf['Server keys'], name: 'empty.bin', sha256: source('empty.bin'), size: 0 }
    ])
    // the bytes never enter the item itself
    expect(JSON.stringify(service.listItems({ vault: 'Imported' }))).not.toContain('passport.png')

    const again = await portability.import('1password-1pux', fixture('onepassword-attachments.1pux'), { vault: 'Imported' })
    expect(again).toMatchObject({ imported: 0, skipped: 4, attachments: 0 })
    expect(port.added).toHaveLength(6)
  })

  it('KeePass XML into the default vault: the items created get their own files, an entry skipped as present brings none', async () => {
    const port = new FakeAttachments()
    const { service, portability } = await device(port)
    // the file's first entry is already here: the ids createItems returns are those of the 2nd and 3rd entries
    const present = await service.createItem({ title: 'Server keys', username: 'root' })
    const summary = await portability.import('keepass-xml', fixture('keepassxc-attachments.xml'))
    expect(summary).toMatchObject({ imported: 2, skipped: 1, vault: 'Personal', attachments: 2, warnings: [] })
    const idOf = Object.fromEntries(service.listItems().map(i => [i.title, i.id]))
    expect(idOf['Server keys']).toBe(present.id)
    expect(port.added.map(a => [a.itemId, a.name, a.sha256])).toEqual([
      [idOf['Passport scan'], 'notes.txt', source('notes.txt')],
      [idOf['Passport scan'], 'passport.png', source('passport.png')]
    ])
  })

  it('a file the port refuses is a warning naming the item and the file; the others are stored and the items stay', async () => {
    const port = new FakeAttachments(['passport.png'])
    const { service, portability } = await device(port)
    const summary = await portability.import('keepass-xml', fixture('keepassxc-attachments.xml'))
    expect(summary).toMatchObject({ imported: 3, attachments: 4 })
    expect(summary.warnings).toEqual(["files could not be stored (passport.png is not welcome here) (1): 'Passport scan' (passport.png)"])
    expect(
      service
        .listItems()
        .map(i => i.title)
        .sort()
    ).toEqual(['No files', 'Passport scan', 'Server keys'])
  })

  it('without a port the items are imported and every file is named in a warning', async () => {
    const { portability } = await device()
    const summary = await portability.import('keepass-xml', fixture('keepassxc-attachments.xml'))
    expect(summary).toMatchObject({ imported: 3, attachments: 0 })
    expect(summary.warnings).toHaveLength(1)
    expect(summary.warnings[0]).toMatch(/^files were not imported \(this daemon stores no files\) \(5\): 'Server keys' \(empty\.bin\)/)
  })

  it('as composed, with the real attachment store: files sealed on their items, read back exact, kept through a kith-json export', async () => {
    const a = await storingDevice()
    expect(await a.portability.import('1password-1pux', fixture('onepassword-attachments.1pux'))).toMatchObject({ attachments: 6 })
    const filesOf = async (d: Awaited<ReturnType<typeof storingDevice>>) => {
      const keys = d.service.listItems().find(i => i.title === 'Server keys')
      if (keys === undefined) throw new Error('no Server keys item')
      const out: Array<[string, number, string]> = []
      for (const f of keys.attachments) {
        expect(sha256(await d.attachments.readAll(keys.id, f.id)), f.name).toBe(f.sha256)
        out.push([f.name, f.size, f.sha256])
      }
      return out
    }
    const expected = [
      ['id_ed25519', 141, source('id_ed25519')],
      ['reçu café.pdf', 61209, source('recu.pdf')],
      ['notes.txt', 58, source('notes.txt')],
      ['notes (2).txt', 49, source('notes-2.txt')],
      ['empty.bin', 0, source('empty.bin')]
    ]
    expect(await filesOf(a)).toEqual(expected)

    const { bytes } = await a.portability.export('kith-json')
    const b = await storingDevice()
    expect(await b.portability.import('kith-json', bytes)).toMatchObject({ imported: 4, attachments: 6, warnings: [] })
    expect(await filesOf(b)).toEqual(expected)
  })
})
