/**
 * Hostile and oversized files in exports: a file above the 25 MB limit is skipped with a warning naming the item and
 * the file (the rest imports); a gzip or zip bomb among the files is an ImportError, refused before or while
 * inflating with memory bounded; all the files of one import together have a ceiling too.
 */
import { randomBytes } from 'node:crypto'
import { deflateRawSync, gzipSync } from 'node:zlib'
import kdbxweb from 'kdbxweb'
import { describe, expect, it } from 'vitest'
import { ImportError } from '../../daemon/interop/errors.js'
import { ImportedFiles, MAX_IMPORTED_FILES_BYTES } from '../../daemon/interop/importedFiles.js'
import { setUpKdbxweb } from '../../daemon/interop/kdbxSetup.js'
import { importers } from '../../daemon/interop/registry.js'
import { DEFAULT_ATTACHMENT_LIMIT_BYTES, type ImportFormat, type ImportResult } from '../../daemon/interop/types.js'
import { Warnings } from '../../daemon/interop/warnings.js'
import { utf8 } from './helpers.js'
import { onePuxItemWithFiles, onePuxOf } from './zipBuilder.js'

const MiB = 1024 * 1024
const OVER = DEFAULT_ATTACHMENT_LIMIT_BYTES + 1
const names = (r: ImportResult): string[] => (r.items[0]?.attachments ?? []).map(a => a.name)
const overLimit = /^files above the 25 MB limit were not imported \(1\): 'Big files' \(disk\.img, 26,214,401 bytes\)$/

it('the limit is 25 MB', () => {
  expect(DEFAULT_ATTACHMENT_LIMIT_BYTES).toBe(25 * MiB)
})

async function refusal(format: ImportFormat, data: Uint8Array, password?: string): Promise<ImportError> {
  const rss0 = process.memoryUsage().rss
  const err = await importers[format](data, { password }).then(
    () => null,
    (e: unknown) => e
  )
  expect(process.memoryUsage().rss - rss0, 'memory taken by the refusal').toBeLessThan(100 * MiB)
  expect(err).toBeInstanceOf(ImportError)
  expect((err as ImportError).format).toBe(format)
  return err as ImportError
}

/** A KDBX holding one entry 'Big files' with the given files (version 3 keeps them gzip-compressed in Meta/Binaries). */
async function kdbxWith(version: 3 | 4, files: Array<[string, Uint8Array]>): Promise<Uint8Array> {
  setUpKdbxweb()
  const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString('pw')), 'Files')
  db.header.setVersion(version)
  if (version === 4) {
    db.header.setKdf(kdbxweb.Consts.KdfId.Argon2id)
    db.header.kdfParameters?.set('M', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1024 * 1024))
    db.header.kdfParameters?.set('I', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(2))
  }
  const entry = db.createEntry(db.getDefaultGroup())
  entry.fields.set('Title', 'Big files')
  for (const [name, data] of files)
    entry.binaries.set(name, await db.createBinary(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer))
  return new Uint8Array(await db.save())
}

/**
 * A KDBX 3.1 whose Meta/Binaries hold the given gzip members as KeePass writes compressed files
 * (`<Binary ID Compressed="True">`); kdbxweb itself writes them uncompressed, so its writer is wrapped meanwhile.
 */
async function kdbx3Compressed(files: Array<[string, Uint8Array]>): Promise<Uint8Array> {
  type Node = { tagName: string; getAttribute: (n: string) => string | null; setAttribute: (n: string, v: string) => void }
  const xmlUtils = kdbxweb.XmlUtils as unknown as { setProtectedBinary: (node: Node, binary: unknown) => void }
  const original = xmlUtils.setProtectedBinary
  xmlUtils.setProtectedBinary = (node, binary) => {
    original(node, binary)
    if (binary instanceof ArrayBuffer && node.getAttribute('ID') !== null) node.setAttribute('Compressed', 'True')
  }
  try {
    return await kdbxWith(3, files)
  } finally {
    xmlUtils.setProtectedBinary = original
  }
}

/** Random bytes first, then zeros: a file that gzips at about `total / random` to one. */
function partlyRandom(total: number, random: number): Uint8Array {
  const out = new Uint8Array(total)
  out.set(randomBytes(random))
  return out
}

describe('a file above the limit is skipped with a warning naming the item and the file', () => {
  it('KDBX 4 (a file of the inner header)', async () => {
    const data = await kdbxWith(4, [
      ['disk.img', new Uint8Array(OVER)],
      ['small.txt', utf8('small')]
    ])
    const r = await importers.kdbx(data, { password: 'pw' })
    expect(names(r)).toEqual(['small.txt'])
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(overLimit)
  }, 30_000)

  it('KDBX 3.1 (gzip-compressed in Meta/Binaries: refused on the size it declares, never inflated)', async () => {
    const data = await kdbx3Compressed([
      ['disk.img', gzipSync(partlyRandom(OVER, 400 * 1024), { level: 1 })],
      ['small.txt', gzipSync(utf8('small'))]
    ])
    const r = await importers.kdbx(data, { password: 'pw' })
    expect(names(r)).toEqual(['small.txt'])
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(overLimit)
  }, 30_000)

  it('KeePass XML (a compressed binary whose gzip trailer declares more than the limit)', async () => {
    const big = gzipSync(partlyRandom(OVER, 400 * 1024), { level: 1 })
    const xml = keepassXml(`<Binary ID="0" Compressed="True">${b64(big)}</Binary><Binary ID="1">${b64(utf8('small'))}</Binary>`, [
      'disk.img',
      'small.txt'
    ])
    const r = await importers['keepass-xml'](xml, {})
    expect(names(r)).toEqual(['small.txt'])
    expect(r.warnings).toEqual([expect.stringMatching(overLimit)])
  }, 30_000)

  it('1PUX (a files/ entry declaring more than the limit, stored uncompressed)', async () => {
    const item = onePuxItemWithFiles('Big files', [
      ['big', 'disk.img'],
      ['small', 'small.txt']
    ])
    const zip = onePuxOf(
      [item],
      [
        { name: 'files/big__disk.img', data: new Uint8Array(OVER), method: 0 },
        { name: 'files/small__small.txt', data: utf8('small') }
      ]
    )
    const r = await importers['1password-1pux'](zip, {})
    expect(names(r)).toEqual(['small.txt'])
    expect(r.warnings).toEqual([expect.stringMatching(overLimit)])
  })

  it('a file of exactly the limit is imported', async () => {
    const item = onePuxItemWithFiles('Big files', [['big', 'disk.img']])
    const zip = onePuxOf([item], [{ name: 'files/big__disk.img', data: new Uint8Array(DEFAULT_ATTACHMENT_LIMIT_BYTES), method: 0 }])
    const r = await importers['1password-1pux'](zip, {})
    expect(r.items[0]?.attachments?.[0]?.data).toHaveLength(DEFAULT_ATTACHMENT_LIMIT_BYTES)
    expect(r.warnings).toEqual([])
  })
})

// 128 MiB of one byte deflates to about 128 KiB (deflate's ~1032:1 ceiling)
const zeros = new Uint8Array(128 * MiB)
const deflatedBomb = new Uint8Array(deflateRawSync(zeros, { level: 9 }))
const gzipBomb = new Uint8Array(gzipSync(zeros, { level: 9 }))

/** The gzip member with another size in its trailer (ISIZE). */
function withTrailer(gz: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(gz)
  new DataView(out.buffer).setUint32(out.length - 4, size, true)
  return out
}

describe('bombs among the files are ImportErrors, refused with memory bounded', () => {
  it('KeePass XML: an honest gzip trailer at ~1000:1 is refused before inflating', async () => {
    const e = await refusal('keepass-xml', keepassXml(`<Binary ID="0" Compressed="True">${b64(gzipBomb)}</Binary>`, ['bomb.bin']))
    expect(e.message).toMatch(/binary 0 declares a compression ratio of \d+:1, above the 100:1 limit \(a zip bomb\?\)/)
  })

  it('KeePass XML: a trailer that lies (1 KiB) stops inflating at the size it declares', async () => {
    const xml = keepassXml(`<Binary ID="0" Compressed="True">${b64(withTrailer(gzipBomb, 1024))}</Binary>`, ['bomb.bin'])
    const e = await refusal('keepass-xml', xml)
    expect(e.message).toMatch(/binary 0 inflates past the 1024 bytes its gzip trailer declares \(a gzip bomb\?\)/)
  })

  it('1PUX: a files/ entry at ~1000:1, and one whose header lies, are refused', async () => {
    const item = onePuxItemWithFiles('Bomb', [['doc', 'bomb.bin']])
    const honest = onePuxOf([item], [{ name: 'files/doc__bomb.bin', data: new Uint8Array(0), raw: deflatedBomb, declaredSize: 128 * MiB }])
    expect((await refusal('1password-1pux', honest)).message).toMatch(/'files\/doc__bomb\.bin' declares a compression ratio of \d+:1/)
    const lying = onePuxOf([item], [{ name: 'files/doc__bomb.bin', data: new Uint8Array(0), raw: deflatedBomb, declaredSize: 1024 }])
    expect((await refusal('1password-1pux', lying)).message).toMatch(/'files\/doc__bomb\.bin' inflates past its declared/)
  })

  it('KDBX 3.1: a compressed binary at ~1000:1 is refused before inflating, and one whose trailer lies while inflating', async () => {
    const honest = await kdbx3Compressed([['bomb.bin', gzipBomb]])
    expect((await refusal('kdbx', honest, 'pw')).message).toMatch(/binary 0 declares a compression ratio of \d+:1, above the 100:1 limit/)
    const lying = await kdbx3Compressed([['bomb.bin', withTrailer(gzipBomb, 1024)]])
    expect((await refusal('kdbx', lying, 'pw')).message).toMatch(/binary 0 inflates past the 1024 bytes its gzip trailer declares/)
  }, 30_000)

  it('all the files of one import together may not pass the ceiling (many small bombs are one big one)', () => {
    const files = new ImportedFiles('keepass-xml', new Warnings())
    const list: Array<{ name: string; data: Uint8Array }> = []
    // untouched zero-filled buffers: allocated, never resident
    const chunk = new Uint8Array(DEFAULT_ATTACHMENT_LIMIT_BYTES)
    const fit = Math.floor(MAX_IMPORTED_FILES_BYTES / chunk.length)
    for (let k = 0; k < fit; k++) files.add(list, `'Item ${k}'`, 'f.bin', chunk)
    expect(() => {
      files.add(list, "'One more'", 'f.bin', chunk)
    }).toThrow(/the files in this export come to more than 512 MB in all \(a zip bomb\?\); refused/)
  })
})

/** A KeePass XML document with a binary pool and one entry 'Big files' referencing binaries 0, 1, … under `names`. */
function keepassXml(pool: string, names: string[]): Uint8Array {
  const refs = names.map((name, k) => `<Binary><Key>${name}</Key><Value Ref="${k}"/></Binary>`).join('')
  return utf8(`<?xml version="1.0" encoding="utf-8"?>
<KeePassFile><Meta><Binaries>${pool}</Binaries></Meta><Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><String><Key>Title</Key><Value>Big files</Value></String>${refs}</Entry>
</Group></Root></KeePassFile>`)
}
const b64 = (data: Uint8Array): string => Buffer.from(data).toString('base64')
