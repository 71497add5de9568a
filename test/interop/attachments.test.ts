/**
 * Files on imported items: KDBX 3.1 and 4.1 databases made by keepassxc-cli, their XML exports and a 1PUX archive
 * (test/fixtures/interop/README.md says how each was made) give every file back byte for byte under its name;
 * references to files an export does not hold are warnings naming the item and the file; names repeated on one
 * item are kept apart ("a.txt", "a (2).txt").
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { ImportError } from '../../daemon/interop/errors.js'
import { storableName, uniqueName } from '../../daemon/interop/importedFiles.js'
import { importers } from '../../daemon/interop/registry.js'
import type { ImportedItem, ImportResult } from '../../daemon/interop/types.js'
import { corpusAvailable, corpusFile, fixture, utf8 } from './helpers.js'
import { onePuxItemWithFiles, onePuxOf } from './zipBuilder.js'

const PASSWORD = 'kith-fixture-pw'
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')
const source = (name: string): string => sha256(fixture(`attachments/${name}`))

/** Each item's files as `name → sha256`, items by title. */
function filesOf(result: ImportResult): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const i of result.items) out[i.title] = Object.fromEntries((i.attachments ?? []).map(a => [a.name, sha256(a.data)]))
  return out
}

/** What keepassxc-cli put in both databases (attachment-import of the files in fixtures/interop/attachments/). */
const KEEPASS_FILES = (): Record<string, Record<string, string>> => ({
  'Passport scan': { 'notes.txt': source('notes.txt'), 'passport.png': source('passport.png') },
  'Server keys': {
    'empty.bin': source('empty.bin'),
    id_ed25519: source('id_ed25519'),
    'reçu café.pdf': source('recu.pdf')
  },
  'No files': {}
})

const NOT_STORED = /does not store files|were not imported \(Kith/

describe('files from keepassxc-cli fixtures', () => {
  const results: Record<string, ImportResult> = {}
  beforeAll(async () => {
    results.kdbx31 = await importers.kdbx(fixture('keepassxc-attachments.kdbx'), { password: PASSWORD })
    results.kdbx41 = await importers.kdbx(fixture('keepassxc-attachments-kdbx41.kdbx'), { password: PASSWORD })
    results.xml = await importers['keepass-xml'](fixture('keepassxc-attachments.xml'), {})
    results.xml41 = await importers['keepass-xml'](fixture('keepassxc-attachments-kdbx41.xml'), {})
  }, 30_000)

  it('KDBX 3.1 (files gzip-compressed in Meta/Binaries, an empty one written as an empty element): every file exact', () => {
    expect(filesOf(results.kdbx31 as ImportResult)).toEqual(KEEPASS_FILES())
    expect(results.kdbx31?.warnings).toEqual([])
  })

  it('KDBX 4.1 (files in the inner header): every file exact', () => {
    expect(filesOf(results.kdbx41 as ImportResult)).toEqual({ ...KEEPASS_FILES(), Temp: {} })
    expect(results.kdbx41?.warnings).toEqual([])
  })

  it('KeePass XML export of the 3.1 database: every file exact, names and Unicode kept', () => {
    expect(filesOf(results.xml as ImportResult)).toEqual(KEEPASS_FILES())
    expect(results.xml?.warnings).toEqual([])
    const keys = results.xml?.items.find(i => i.title === 'Server keys')
    expect(keys?.attachments?.map(a => a.name)).toEqual(['empty.bin', 'id_ed25519', 'reçu café.pdf'])
    expect(keys?.attachments?.[0]?.data).toHaveLength(0)
  })

  it('KeePass XML export of the 4.1 database holds only references: a warning names every item and file, no crash', () => {
    const r = results.xml41 as ImportResult
    expect(r.items.map(i => i.title)).toEqual(['Server keys', 'No files', 'Passport scan', 'Temp'])
    expect(r.items.every(i => i.attachments === undefined)).toBe(true)
    expect(r.warnings).toHaveLength(1)
    const w = r.warnings[0] as string
    expect(w).toMatch(/^files whose bytes are not in the export were not imported \(.*import the \.kdbx file instead\) \(5\): /)
    for (const named of [
      "'Server keys' (empty.bin, binary 0)",
      "'Server keys' (id_ed25519, binary 1)",
      "'Server keys' (reçu café.pdf, binary 2)",
      "'Passport scan' (notes.txt, binary 3)",
      "'Passport scan' (passport.png, binary 4)"
    ])
      expect(w).toContain(named)
  })

  it('no importer says files are not stored any more', () => {
    for (const r of Object.values(results)) for (const w of r.warnings) expect(w).not.toMatch(NOT_STORED)
  })
})

describe('files from a 1PUX fixture', () => {
  let result: ImportResult
  beforeAll(async () => {
    result = await importers['1password-1pux'](fixture('onepassword-attachments.1pux'), {})
  })

  it("a Document's file and file fields come out exact; two files named notes.txt on one item are both kept", () => {
    expect(filesOf(result)).toEqual({
      'Passport scan': { 'passport.png': source('passport.png') },
      'Server keys': {
        id_ed25519: source('id_ed25519'),
        'reçu café.pdf': source('recu.pdf'),
        'notes.txt': source('notes.txt'),
        'notes (2).txt': source('notes-2.txt'),
        'empty.bin': source('empty.bin')
      },
      'No files': {},
      'Missing file': {}
    })
    expect(result.items.find(i => i.title === 'Server keys')?.attachments?.map(a => a.name)).toEqual([
      'id_ed25519',
      'reçu café.pdf',
      'notes.txt',
      'notes (2).txt',
      'empty.bin'
    ])
  })

  it('a file the archive does not hold is a warning naming the item and the file', () => {
    const missing = result.warnings.filter(w => w.startsWith('files whose bytes are not in the export'))
    expect(missing).toEqual([
      "files whose bytes are not in the export were not imported (the 1PUX names documents its files/ folder does not hold) (1): 'Missing file' (lost.txt, document z9z9z9z9z9z9z9z9z9z9z9z9z9)"
    ])
    for (const w of result.warnings) expect(w).not.toMatch(NOT_STORED)
  })

  it('the same document named twice on one item is imported once', async () => {
    const item = onePuxItemWithFiles('Twice', [
      ['doc1', 'a.txt'],
      ['doc1', 'a.txt']
    ])
    const r = await importers['1password-1pux'](onePuxOf([item], [{ name: 'files/doc1__a.txt', data: utf8('one') }]), {})
    expect(r.items[0]?.attachments?.map(a => a.name)).toEqual(['a.txt'])
  })
})

describe.skipIf(!corpusAvailable())('files in the public corpus (real exports)', () => {
  it("1Password's own 1PUX: the Document item's PNG, byte for byte as in the zip", async () => {
    const r = await importers['1password-1pux'](corpusFile('1password/keepassxc-1PasswordExport.1pux'), {})
    expect(filesOf(r)['KeePassXC Logo']).toEqual({ 'keepassxc.png': 'e96f853be511057b4c2e2fdd3c495ed33d322d55b8798734e81a5a726afa385c' })
    expect(r.items.filter(i => i.attachments !== undefined)).toHaveLength(1)
  })

  it('KeePass 2 XML (two entries sharing one compressed binary) and a KDBX 4 made by KeePassXC', async () => {
    const xml = await importers['keepass-xml'](corpusFile('keepassxc/keepass2-NewDatabase.xml'), {})
    const shared = { 'myattach.txt': sha256(utf8('abcdefghijk')) }
    expect(filesOf(xml)).toMatchObject({ 'Sample Entry 1': shared, 'Sample Entry 2': shared })
    expect(xml.warnings).toEqual([])
    const kdbx = await importers.kdbx(corpusFile('keepassxc/keepassxc-Format400.kdbx'), { password: 't' })
    expect(filesOf(kdbx)).toEqual({ Format400: { Format400: sha256(utf8('Format400\n')) } })
  }, 20_000)
})

/** A KeePass XML document with a binary pool and one entry whose `<Binary>` elements are given. */
function keepassXml(pool: string, binaries: string, title = 'Entry'): Uint8Array {
  return utf8(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<KeePassFile><Meta><Generator>test</Generator><Binaries>${pool}</Binaries></Meta>
<Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><String><Key>Title</Key><Value>${title}</Value></String>${binaries}</Entry>
</Group></Root></KeePassFile>`)
}
/** The gzip member with its deflate data overwritten (header and trailer intact). */
const corrupted = (gz: Uint8Array): Uint8Array => {
  const out = new Uint8Array(gz)
  out.fill(0xff, 10, gz.length - 8)
  return out
}
const b64 = (data: Uint8Array): string => Buffer.from(data).toString('base64')
const ref = (name: string, id: string): string => `<Binary><Key>${name}</Key><Value Ref="${id}"/></Binary>`
const filesOfFirst = (r: ImportResult): Array<[string, string]> =>
  ((r.items[0] as ImportedItem).attachments ?? []).map(a => [a.name, new TextDecoder().decode(a.data)])

describe('KeePass XML binaries', () => {
  it('values held inline in the entry (plain and compressed) are read', async () => {
    const xml = keepassXml(
      '',
      `<Binary><Key>plain.txt</Key><Value>${b64(utf8('plain'))}</Value></Binary>` +
        `<Binary><Key>packed.txt</Key><Value Compressed="True">${b64(gzipSync(utf8('packed')))}</Value></Binary>`
    )
    const r = await importers['keepass-xml'](xml, {})
    expect(filesOfFirst(r)).toEqual([
      ['plain.txt', 'plain'],
      ['packed.txt', 'packed']
    ])
    expect(r.warnings).toEqual([])
  })

  it('the same name twice on one entry keeps both: the second gets " (2)" before the extension', async () => {
    const pool = `<Binary ID="0">${b64(utf8('first'))}</Binary><Binary ID="1">${b64(utf8('second'))}</Binary><Binary ID="2">${b64(utf8('third'))}</Binary>`
    const r = await importers['keepass-xml'](keepassXml(pool, ref('scan.pdf', '0') + ref('scan.pdf', '1') + ref('scan.pdf', '2')), {})
    expect(filesOfFirst(r)).toEqual([
      ['scan.pdf', 'first'],
      ['scan (2).pdf', 'second'],
      ['scan (3).pdf', 'third']
    ])
  })

  it('a missing Ref is a warning naming the entry and the file; the entry and its other files are imported', async () => {
    const pool = `<Binary ID="0">${b64(utf8('here'))}</Binary>`
    const r = await importers['keepass-xml'](keepassXml(pool, ref('here.txt', '0') + ref('gone.txt', '7'), 'Broken refs'), {})
    expect(filesOfFirst(r)).toEqual([['here.txt', 'here']])
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(
      /^files whose bytes are not in the export were not imported .*\(1\): 'Broken refs' \(gone\.txt, binary 7\)$/
    )
  })

  it('an encrypted binary (XML from inside a KDBX), bad base64 and broken gzip are named ImportErrors', async () => {
    const cases: Array<[string, RegExp]> = [
      [`<Binary ID="0" Protected="True">${b64(utf8('x'))}</Binary>`, /binary 0 is encrypted \(Protected="True"\)/],
      ['<Binary ID="0">not base64!</Binary>', /binary 0 is not base64 data/],
      [
        `<Binary ID="0" Compressed="True">${b64(utf8('not gzip at all, just text'))}</Binary>`,
        /binary 0 is marked compressed but is not gzip data/
      ],
      [
        `<Binary ID="0" Compressed="True">${b64(corrupted(gzipSync(utf8('a gzip stream, damaged in the middle'))))}</Binary>`,
        /binary 0 is not valid gzip data/
      ]
    ]
    for (const [pool, message] of cases) {
      const err = await importers['keepass-xml'](keepassXml(pool, ref('f', '0')), {}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ImportError)
      expect((err as ImportError).message).toMatch(message)
    }
  })
})

describe('uniqueName', () => {
  const taken = (...names: string[]) => names.map(name => ({ name, data: new Uint8Array() }))
  it('adds " (n)" before the extension, skipping numbers already taken; dotfiles and names without one get it at the end', () => {
    expect(uniqueName(taken(), 'a.txt')).toBe('a.txt')
    expect(uniqueName(taken('a.txt'), 'a.txt')).toBe('a (2).txt')
    expect(uniqueName(taken('a.txt', 'a (2).txt'), 'a.txt')).toBe('a (3).txt')
    expect(uniqueName(taken('archive.tar.gz'), 'archive.tar.gz')).toBe('archive.tar (2).gz')
    expect(uniqueName(taken('README'), 'README')).toBe('README (2)')
    expect(uniqueName(taken('.env'), '.env')).toBe('.env (2)')
    expect(uniqueName(taken(), '  ')).toBe('attachment')
    expect(uniqueName(taken('a.txt'), ' a.txt ')).toBe('a (2).txt')
  })

  it('makes names the attachment store accepts: no path, no control character, at most 255 characters', () => {
    expect(storableName('reçu café.pdf')).toBe('reçu café.pdf')
    expect(storableName('../etc/passwd')).toBe('.._etc_passwd')
    expect(storableName('a\\b\nc\u0000.txt')).toBe('a_b_c_.txt')
    expect(storableName('..')).toBe('attachment')
    const long = storableName(`${'é'.repeat(300)}.pdf`)
    expect([...long]).toHaveLength(255)
    expect(long.endsWith('é.pdf')).toBe(true)
    const numbered = uniqueName([{ name: long, data: new Uint8Array() }], `${'é'.repeat(300)}.pdf`)
    expect([...numbered]).toHaveLength(255)
    expect(numbered.endsWith('é (2).pdf')).toBe(true)
  })
})
