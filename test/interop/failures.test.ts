/** Bad input is a clear ImportError naming format and place (garbled, wrong format, truncated, passwords, size); 50 MB imports. */
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { MAX_IMPORT_BYTES } from '../../daemon/interop/decodeText.js'
import { ImportError, PasswordRequiredError, WrongPasswordError } from '../../daemon/interop/errors.js'
import { exporters, importers } from '../../daemon/interop/registry.js'
import { IMPORT_FORMATS, type ImportFormat } from '../../daemon/interop/types.js'
import { corpusAvailable, corpusFile, fixture, trickyItems, utf8 } from './helpers.js'

const hasCorpus = corpusAvailable()

/** Expects `promise` to reject with an ImportError for `format` whose message matches `pattern`. */
async function rejectsWith(
  promise: Promise<unknown>,
  format: string,
  pattern: RegExp,
  type: typeof ImportError = ImportError
): Promise<ImportError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(err, `expected ${type.name} from ${format}`).toBeInstanceOf(type)
  const e = err as ImportError
  expect(e.format).toBe(format)
  expect(e.message).toContain(format)
  expect(e.message).toMatch(pattern)
  return e
}

/** One small valid file per import format, made by Kith's exporters or taken from the fixtures. */
async function samples(): Promise<Record<ImportFormat, Uint8Array>> {
  const items = trickyItems().slice(0, 2)
  const pux = zipSync({
    'export.attributes': utf8('{"version":3}'),
    'export.data': utf8('{"accounts":[{"attrs":{},"vaults":[{"attrs":{"name":"P"},"items":[{"overview":{"title":"x"},"details":{}}]}]}]}')
  })
  return {
    'bitwarden-json': await exporters['bitwarden-json'](items, {}),
    'bitwarden-csv': await exporters.csv(items, {}),
    '1password-1pux': pux,
    '1password-csv': fixture('onepassword-tags.csv'),
    'keepass-xml': await exporters['keepass-xml'](items, {}),
    'keepass-csv': fixture('keepassxc-quotes.csv'),
    kdbx: hasCorpus
      ? corpusFile('keepassxc/keepassxc-Format400.kdbx')
      : new Uint8Array([0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0, 0, 4, 0]),
    'chrome-csv': fixture('chrome-short-rows.csv'),
    'firefox-csv': utf8(
      '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\n"https://a.example","u","p",,"","{x}","1","1","1"\n'
    ),
    'lastpass-csv': fixture('lastpass-unicode.csv'),
    'kith-json': await exporters['kith-json'](items, {}),
    'kith-encrypted': await exporters['kith-encrypted'](items, { password: 'pw' })
  }
}

const PASSWORDS: Partial<Record<ImportFormat, string>> = { kdbx: 't', 'kith-encrypted': 'pw' }

describe('failures are clear ImportErrors', () => {
  it('garbled bytes: every importer refuses with its format named', async () => {
    const garbled = fixture('garbled.bin')
    for (const format of IMPORT_FORMATS) {
      await rejectsWith(importers[format](garbled, { password: 'x' }), format, /binary|not a|zip|truncated/i)
    }
  })

  it('a file of another format than named: every importer refuses every other format', async () => {
    const files = await samples()
    for (const named of IMPORT_FORMATS) {
      for (const actual of IMPORT_FORMATS) {
        if (named === actual) continue
        const err = await importers[named](files[actual], { password: PASSWORDS[named] ?? 'x' }).then(
          () => null,
          (e: unknown) => e
        )
        expect(err, `${actual} given to the ${named} importer`).toBeInstanceOf(ImportError)
        expect((err as ImportError).format).toBe(named)
      }
    }
  }, 30_000)

  it('each sample imports with its own importer (so the refusals above are about the format)', async () => {
    const files = await samples()
    for (const format of IMPORT_FORMATS) {
      if (format === 'kdbx' && !hasCorpus) continue
      const { items } = await importers[format](files[format], { password: PASSWORDS[format] })
      expect(items.length, format).toBeGreaterThan(0)
    }
  }, 30_000)

  it('the error says what the file looks like: JSON given to a CSV importer, CSV given to the kdbx importer', async () => {
    await rejectsWith(
      importers['chrome-csv'](fixture('truncated-bitwarden.json'), {}),
      'chrome-csv',
      /not a CSV file \(it looks like bitwarden-json\)/
    )
    await rejectsWith(
      importers.kdbx(fixture('lastpass-unicode.csv'), { password: 'x' }),
      'kdbx',
      /not a KDBX database \(it looks like lastpass-csv\)/
    )
    await rejectsWith(
      importers['chrome-csv'](fixture('lastpass-unicode.csv'), {}),
      'chrome-csv',
      /lastpass-csv export.*import it as lastpass-csv/
    )
    await rejectsWith(importers['bitwarden-json'](utf8('{"hello": "world"}'), {}), 'bitwarden-json', /no "items" array/)
  })

  it('truncated files of every format, with the place named', async () => {
    const files = await samples()
    const e1 = await rejectsWith(
      importers['lastpass-csv'](fixture('truncated-lastpass.csv'), {}),
      'lastpass-csv',
      /never closed.*truncated/
    )
    expect(e1.location).toBe('row 2')
    const e2 = await rejectsWith(importers['bitwarden-json'](fixture('truncated-bitwarden.json'), {}), 'bitwarden-json', /truncated/)
    expect(e2.location).toMatch(/^line 1, column \d+/)
    const e3 = await rejectsWith(
      importers['chrome-csv'](utf8('name,url,username,password,note\na,https://a,u,p,n\nb,https://b,u'), {}),
      'chrome-csv',
      /ends in the middle of a row/
    )
    expect(e3.location).toBe('row 3')
    const cut = (b: Uint8Array, f = 0.6): Uint8Array => b.subarray(0, Math.floor(b.length * f))
    await rejectsWith(importers['keepass-xml'](cut(files['keepass-xml']), {}), 'keepass-xml', /malformed XML/)
    await rejectsWith(importers['kith-json'](cut(files['kith-json']), {}), 'kith-json', /truncated/)
    await rejectsWith(importers['1password-1pux'](cut(files['1password-1pux']), {}), '1password-1pux', /zip/)
    const e4 = await rejectsWith(
      importers['kith-encrypted'](cut(files['kith-encrypted']), { password: 'pw' }),
      'kith-encrypted',
      /truncated/
    )
    expect(e4.location).toMatch(/^byte \d+$/)
    await rejectsWith(
      importers['kith-encrypted'](files['kith-encrypted'].subarray(0, 30), { password: 'pw' }),
      'kith-encrypted',
      /truncated/
    )
    if (hasCorpus) {
      await rejectsWith(importers.kdbx(cut(files.kdbx, 0.8), { password: 't' }), 'kdbx', /corrupt or truncated/)
      await rejectsWith(importers.kdbx(cut(files.kdbx, 0.05), { password: 't' }), 'kdbx', /corrupt or truncated/)
    }
  })

  it('an unquoted separator that shifts the columns is refused, naming the row', async () => {
    const e = await rejectsWith(importers['chrome-csv'](fixture('shifted-columns.csv'), {}), 'chrome-csv', /6 cells where the header has 5/)
    expect(e.location).toBe('row 3')
  })

  it('text that is not UTF-8 is refused with the byte offset', async () => {
    const e = await rejectsWith(importers['chrome-csv'](fixture('chrome-latin1.csv'), {}), 'chrome-csv', /not valid UTF-8/)
    expect(e.location).toBe('byte 35')
  })

  it('wrong and missing passwords', async () => {
    const files = await samples()
    await rejectsWith(
      importers['kith-encrypted'](files['kith-encrypted'], { password: 'wrong' }),
      'kith-encrypted',
      /wrong password/,
      WrongPasswordError
    )
    await rejectsWith(
      importers['kith-encrypted'](files['kith-encrypted'], {}),
      'kith-encrypted',
      /password is required/,
      PasswordRequiredError
    )
    const flipped = files['kith-encrypted'].slice()
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 1
    await rejectsWith(
      importers['kith-encrypted'](flipped, { password: 'pw' }),
      'kith-encrypted',
      /wrong password \(or the file was modified\)/,
      WrongPasswordError
    )
    const header = files['kith-encrypted'].slice()
    header[9] = 0xff
    await rejectsWith(
      importers['kith-encrypted'](header, { password: 'pw' }),
      'kith-encrypted',
      /Argon2 memory \d+ MiB is above the 256 MiB limit/
    )
    if (hasCorpus) {
      await rejectsWith(importers.kdbx(files.kdbx, { password: 'wrong' }), 'kdbx', /wrong password/, WrongPasswordError)
      await rejectsWith(importers.kdbx(files.kdbx, {}), 'kdbx', /password is required/, PasswordRequiredError)
      for (const f of [
        'bitwarden/keepassxc-bitwarden_encrypted_export.json',
        'bitwarden/keepassxc-bitwarden_encrypted_argon2id_export.json'
      ]) {
        await rejectsWith(
          importers['bitwarden-json'](corpusFile(f), { password: 'b' }),
          'bitwarden-json',
          /wrong password/,
          WrongPasswordError
        )
        await rejectsWith(importers['bitwarden-json'](corpusFile(f), {}), 'bitwarden-json', /password is required/, PasswordRequiredError)
      }
    }
    await rejectsWith(
      importers['bitwarden-json'](utf8('{"encrypted":true,"data":"2.x|y|z"}'), { password: 'a' }),
      'bitwarden-json',
      /account restricted/
    )
  }, 20_000)

  it('all or nothing: one bad item fails the whole import, naming it', async () => {
    const kith = JSON.parse(new TextDecoder().decode(await exporters['kith-json'](trickyItems(), {}))) as {
      items: Array<Record<string, unknown>>
    }
    const third = kith.items[2]
    if (third !== undefined) third.urls = 'https://not-an-array.example'
    const e = await rejectsWith(importers['kith-json'](utf8(JSON.stringify(kith)), {}), 'kith-json', /"urls" must be an array of strings/)
    expect(e.location).toBe("item 3 ('Old forum')")
    await rejectsWith(importers['kith-json'](utf8(JSON.stringify({ ...kith, version: 2 })), {}), 'kith-json', /version 2 is newer/)
    const bw = await rejectsWith(
      importers['bitwarden-json'](utf8('{"items":[{"type":1,"name":"ok"},42]}'), {}),
      'bitwarden-json',
      /expected an object/
    )
    expect(bw.location).toBe('item 2')
  })

  it('KeePass XML: a DOCTYPE (entity expansion) and inner-stream Protected values are refused', async () => {
    await rejectsWith(
      importers['keepass-xml'](utf8('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><KeePassFile/>'), {}),
      'keepass-xml',
      /DOCTYPE/
    )
    const xml =
      '<KeePassFile><Root><Group><Name>R</Name><Entry><String><Key>Title</Key><Value>T</Value></String><String><Key>Password</Key><Value Protected="True">AAAA</Value></String></Entry></Group></Root></KeePassFile>'
    const e = await rejectsWith(importers['keepass-xml'](utf8(xml), {}), 'keepass-xml', /encrypted \(Protected="True"\)/)
    expect(e.location).toBe("entry 1 ('T')")
  })

  it('fuzz: randomly corrupted samples either import or throw an ImportError of their format, never anything else', async () => {
    const files = await samples()
    let seed = 42
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (const format of IMPORT_FORMATS) {
      const runs = format === 'kith-encrypted' || format === 'kdbx' ? 6 : 40
      for (let k = 0; k < runs; k++) {
        const bytes = files[format].slice()
        const edits = 1 + rand(4)
        for (let e = 0; e < edits; e++) bytes[rand(bytes.length)] = rand(256)
        const cut = rand(3) === 0 ? bytes.subarray(0, rand(bytes.length)) : bytes
        const err = await importers[format](cut, { password: PASSWORDS[format] ?? 'x' }).then(
          () => null,
          (e: unknown) => e
        )
        if (err !== null) {
          expect(err, `${format} run ${k}: ${String(err)}`).toBeInstanceOf(ImportError)
          expect((err as ImportError).format).toBe(format)
        }
      }
    }
  }, 30_000)

  it('files above the size limit are refused before parsing; empty files too', async () => {
    await rejectsWith(importers['bitwarden-json'](new Uint8Array(MAX_IMPORT_BYTES + 1), {}), 'bitwarden-json', /above the 256 MB limit/)
    await rejectsWith(importers['chrome-csv'](new Uint8Array(0), {}), 'chrome-csv', /empty/)
  })
})

describe('a 50 MB export (generated here, not committed)', () => {
  function bigBitwardenJson(bytes: number): { data: Uint8Array; count: number } {
    const parts: string[] = []
    let size = 0
    for (let i = 0; size < bytes; i++) {
      const s = JSON.stringify({
        id: `id-${i}`,
        folderId: null,
        type: 1,
        name: `Item ${i} ünï`,
        notes: `Note ${i}\nwith "quotes", commas`.repeat(4),
        favorite: i % 7 === 0,
        fields: [{ name: 'PIN', value: String(i), type: 1 }],
        login: {
          uris: [{ match: null, uri: `https://site${i}.example.com/login` }],
          username: `user${i}@example.com`,
          password: `pw-${i}-${'x'.repeat(20)}`,
          totp: null
        }
      })
      parts.push(s)
      size += s.length + 1
    }
    return { data: utf8(`{"encrypted":false,"folders":[],"items":[${parts.join(',')}]}`), count: parts.length }
  }

  it('Bitwarden JSON imports completely, reporting progress up to the total', async () => {
    const { data, count } = bigBitwardenJson(50 * 1024 * 1024)
    const seen: Array<[number, number]> = []
    const { items } = await importers['bitwarden-json'](data, { onProgress: (done, total) => seen.push([done, total]) })
    expect(items).toHaveLength(count)
    expect(items[count - 1]?.title).toBe(`Item ${count - 1} ünï`)
    expect(seen.length).toBeGreaterThan(10)
    expect(seen[0]).toEqual([0, count])
    expect(seen[seen.length - 1]).toEqual([count, count])
    expect(seen.every(([d], k) => k === 0 || d >= (seen[k - 1]?.[0] ?? 0))).toBe(true)
  }, 30_000)

  it('a 50 MB CSV imports; 50 MB of garbage is refused quickly', async () => {
    const row = 'site.example,https://site.example/login,user@example.com,"pa,ss""word","a note, with ""quotes""\nand a second line"\n'
    const n = Math.ceil((50 * 1024 * 1024) / row.length)
    const csv = utf8('name,url,username,password,note\n' + row.repeat(n))
    let last = 0
    const { items } = await importers['chrome-csv'](csv, {
      onProgress: done => {
        last = done
      }
    })
    expect(items).toHaveLength(n)
    expect(last).toBe(n)
    expect(items[n - 1]).toMatchObject({ password: 'pa,ss"word', notes: 'a note, with "quotes"\nand a second line' })
    const garbage = new Uint8Array(50 * 1024 * 1024)
    for (let i = 0; i < garbage.length; i += 4096) garbage.set(fixture('garbled.bin'), i)
    const t0 = performance.now()
    await rejectsWith(importers['chrome-csv'](garbage, {}), 'chrome-csv', /not a text file/)
    expect(performance.now() - t0).toBeLessThan(2000)
  }, 30_000)
})
