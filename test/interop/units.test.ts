/** Unit tests of the shared pieces: the CSV reader and writer, TOTP conversion, de-duplication, format detection, the registry. */
import { describe, expect, it } from 'vitest'
import { detectSeparator, parseCsv } from '../../daemon/interop/csv.js'
import { formatCsv } from '../../daemon/interop/csvWriter.js'
import { dedupeKey, splitDuplicates } from '../../daemon/interop/dedupe.js'
import { detectFormat } from '../../daemon/interop/detect.js'
import { ImportError, UnknownFormatError } from '../../daemon/interop/errors.js'
import { EXPORT_FORMATS, exporterFor, IMPORT_FORMATS, importerFor, isExportFormat, isImportFormat } from '../../daemon/interop/registry.js'
import { buildOtpauth, cleanBase32, fromLegacyKeePass, secretOf, toOtpauth } from '../../daemon/interop/totp.js'
import { corpusAvailable, corpusFile, utf8 } from './helpers.js'

const cells = (text: string): string[][] => parseCsv(text, 'test').rows.map(r => r.cells)

describe('CSV reader', () => {
  it('reads RFC 4180: quotes, doubled quotes, separators and line ends inside quotes, CRLF, empty cells', () => {
    expect(cells('a,b,c\r\n"x,1","say ""hi""","l1\r\nl2"\r\n,,\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'l1\r\nl2'],
      ['', '', '']
    ])
  })
  it('counts rows without blank lines and lines including embedded ones', () => {
    const { rows } = parseCsv('h1,h2\n\n"a\nb",c\nd,e', 'test')
    expect(rows.map(r => [r.row, r.line])).toEqual([
      [1, 1],
      [2, 3],
      [3, 5]
    ])
  })
  it('detects `;` and tab separators from the header, ignoring quoted ones', () => {
    expect(detectSeparator('a;b;c\n1,2;3')).toBe(';')
    expect(detectSeparator('"a;b";c,d,e')).toBe(',')
    expect(detectSeparator('a\tb\tc')).toBe('\t')
    expect(cells('a;b\n"1;2";3')).toEqual([
      ['a', 'b'],
      ['1;2', '3']
    ])
  })
  it('handles a lone CR as a line end and a final cell without a line end', () => {
    expect(cells('a,b\rc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd']
    ])
    expect(parseCsv('a,b\nc,d', 'test').endsWithNewline).toBe(false)
  })
  it('takes a stray quote inside a quoted cell literally and reports the row (the Firefox accounts file)', () => {
    const r = parseCsv('a,b\n"x"y",z\n', 'test')
    expect(r.rows[1]?.cells).toEqual(['x"y', 'z'])
    expect(r.strayQuoteRows).toEqual([2])
  })
  it('throws an ImportError naming the row for a quote that never closes', () => {
    expect(() => parseCsv('a,b\n1,2\n"open,3\n', 'x-csv')).toThrow(ImportError)
    expect(() => parseCsv('a,b\n1,2\n"open,3\n', 'x-csv')).toThrow(/at row 3: a quoted cell opened on line 3 is never closed/)
  })
  it('writer and reader agree on awkward values', () => {
    const values = [['a,b', 'q"q', 'l1\nl2', ' lead', 'trail ', '', 'plain', 'é😀']]
    expect(cells(formatCsv(['1', '2', '3', '4', '5', '6', '7', '8'], values)).slice(1)).toEqual(values)
  })
})

describe('TOTP', () => {
  const ctx = { title: 'Acme Inc', username: 'ann@acme.example' }
  it('keeps otpauth URIs verbatim and turns bare base32 secrets into URIs (cleaned, secret unchanged)', () => {
    expect(toOtpauth('otpauth://totp/X?secret=ABC', ctx).uri).toBe('otpauth://totp/X?secret=ABC')
    expect(toOtpauth(' jbsw y3dp-ehpk 3pxp== ', ctx).uri).toBe(
      'otpauth://totp/Acme%20Inc:ann%40acme.example?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Inc&algorithm=SHA1&digits=6&period=30'
    )
    expect(secretOf(toOtpauth('DFDFDEFDEF', ctx).uri)).toBe('DFDFDEFDEF')
  })
  it('converts steam://, KeeOtp and legacy KeePassXC settings, keeping digits, period and algorithm', () => {
    expect(toOtpauth('steam://STEAMKEY234', ctx).uri).toMatch(/digits=5&period=30&encoder=steam$/)
    expect(toOtpauth('key=JBSWY3DPEHPK3PXP&size=8&step=60&otpHashMode=Sha512', ctx).uri).toMatch(/algorithm=SHA512&digits=8&period=60$/)
    expect(fromLegacyKeePass('JBSWY3DPEHPK3PXP', '30;8;SHA256', ctx).uri).toMatch(/algorithm=SHA256&digits=8&period=30$/)
    expect(fromLegacyKeePass('JBSWY3DPEHPK3PXP', undefined, ctx).uri).toMatch(/algorithm=SHA1&digits=6&period=30$/)
  })
  it('reports values that are neither, and empty values as none', () => {
    expect(toOtpauth('12345678 is not base32!', ctx)).toEqual({ uri: null, unrecognised: '12345678 is not base32!' })
    expect(toOtpauth('', ctx)).toEqual({ uri: null })
    expect(cleanBase32('abc1')).toBeNull()
    expect(buildOtpauth({ secret: 'AAAA' }, { title: '', username: '' })).toBe(
      'otpauth://totp/Kith?secret=AAAA&algorithm=SHA1&digits=6&period=30'
    )
  })
})

describe('re-import is safe', () => {
  const item = (title: string, username: string, url?: string): { title: string; username: string; urls: string[] } => ({
    title,
    username,
    urls: url === undefined ? [] : [url]
  })
  it('dedupeKey ignores case, spacing, Unicode form, trailing slashes and default ports', () => {
    expect(dedupeKey(item(' Gmail ', 'Ann', 'https://Mail.Google.com/'))).toBe(dedupeKey(item('gmail', 'ann', 'https://mail.google.com')))
    expect(dedupeKey(item('Café', 'x'))).toBe(dedupeKey(item('Cafe\u0301', 'x')))
    expect(dedupeKey(item('a', 'x', 'https://a.example:443/p/'))).toBe(dedupeKey(item('a', 'x', 'https://a.example/p')))
    expect(dedupeKey(item('a', 'x', 'https://a.example/1'))).not.toBe(dedupeKey(item('a', 'x', 'https://a.example/2')))
    expect(dedupeKey(item('a', 'x'))).not.toBe(dedupeKey(item('a', 'y')))
  })
  it('splitDuplicates skips what exists and keeps duplicates within the file', () => {
    const existing = [item('A', 'u', 'https://a.example')]
    const incoming = [item('a', 'U', 'https://a.example/'), item('B', 'u'), item('B', 'u')]
    const { fresh, skipped } = splitDuplicates(existing, incoming)
    expect(skipped).toEqual([incoming[0]])
    expect(fresh).toEqual([incoming[1], incoming[2]])
    expect(splitDuplicates([...existing, ...fresh], incoming).fresh).toEqual([])
  })
})

describe('registry and detection', () => {
  it('lists every format and answers to names', () => {
    expect(IMPORT_FORMATS).toHaveLength(12)
    expect(EXPORT_FORMATS).toEqual(['kith-json', 'kith-encrypted', 'bitwarden-json', 'keepass-xml', 'csv'])
    expect(isImportFormat('kdbx')).toBe(true)
    expect(isImportFormat('csv')).toBe(false)
    expect(isExportFormat('csv')).toBe(true)
    expect(() => importerFor('pdf')).toThrow(UnknownFormatError)
    expect(() => exporterFor('kdbx')).toThrow(/unknown format 'kdbx'/)
  })
  it('detects the format of small samples', () => {
    expect(detectFormat(utf8('{"format":"kith-json","version":1}'))).toBe('kith-json')
    expect(detectFormat(utf8('\uFEFF{"encrypted":false,"items":[]}'))).toBe('bitwarden-json')
    expect(detectFormat(utf8('<?xml version="1.0"?><KeePassFile>'))).toBe('keepass-xml')
    expect(detectFormat(utf8('KITHENC\u0001'))).toBe('kith-encrypted')
    expect(detectFormat(utf8('hello world'))).toBeNull()
  })
  it.skipIf(!corpusAvailable())('detects the format of every corpus file as the importer it belongs to', () => {
    const cases: Array<[string, string]> = [
      ['bitwarden/passimport-bitwarden.json', 'bitwarden-json'],
      ['bitwarden/keepassxc-bitwarden_encrypted_export.json', 'bitwarden-json'],
      ['bitwarden/passimport-bitwarden-org.csv', 'bitwarden-csv'],
      ['1password/keepassxc-1PasswordExport.1pux', '1password-1pux'],
      ['1password/passimport-1password8.csv', '1password-csv'],
      ['chrome/passimport-chrome.csv', 'chrome-csv'],
      ['firefox/bitwarden-firefox-accounts-data.csv', 'firefox-csv'],
      ['keepassxc/keepassxc-Format400.kdbx', 'kdbx'],
      ['keepassxc/keepass2-NewDatabase.xml', 'keepass-xml'],
      ['keepassxc/passimport-keepassx2.csv', 'keepass-csv'],
      ['lastpass/bitwarden-lastpass-totp-and-typed-notes.csv', 'lastpass-csv'],
      ['lastpass/passimport-lastpass.csv', 'lastpass-csv']
    ]
    for (const [file, format] of cases) expect(detectFormat(corpusFile(file)), file).toBe(format)
  })
})
