/**
 * Reading TOTP secrets in the dashboard (web-ui/src/totp.ts): base32 and otpauth:// URIs. The RFC 6238
 * code vectors, and agreement with the daemon, are in test/api/dashboard.totp.test.ts.
 */
import { describe, it, expect } from 'vitest'
import { base32Decode, parseTotpUri, totpAt } from '../../web-ui/src/totp.js'

const text = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('base32Decode', () => {
  it('decodes the RFC 4648 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['MY======', 'f'],
      ['MZXQ====', 'fo'],
      ['MZXW6===', 'foo'],
      ['MZXW6YQ=', 'foob'],
      ['MZXW6YTB', 'fooba'],
      ['MZXW6YTBOI======', 'foobar']
    ]
    for (const [encoded, plain] of vectors) expect(text(base32Decode(encoded)), encoded).toBe(plain)
  })

  it('accepts lower case, spaces and hyphens as people paste them', () => {
    expect(text(base32Decode('mzxw 6ytb-oi'))).toBe('foobar')
  })

  it('refuses characters outside the alphabet', () => {
    for (const bad of ['MZXW1', 'MZXW8', 'MZ!W', 'MZXW6YTBOÍ']) expect(() => base32Decode(bad), bad).toThrow(/not base32/)
  })
})

describe('parseTotpUri', () => {
  it('reads a bare secret with the defaults: SHA-1, 6 digits, 30 seconds', () => {
    expect(parseTotpUri('MZXW6YTBOI')).toEqual({ secret: base32Decode('MZXW6YTBOI'), algorithm: 'SHA-1', digits: 6, period: 30 })
  })

  it('reads every parameter of an otpauth:// URI, however the algorithm is spelt', () => {
    const p = parseTotpUri('otpauth://totp/Example:alice@example.com?secret=MZXW6YTBOI&issuer=Example&algorithm=sha256&digits=8&period=60')
    expect(p).toEqual({ secret: base32Decode('MZXW6YTBOI'), algorithm: 'SHA-256', digits: 8, period: 60 })
    expect(parseTotpUri('otpauth://totp/x?secret=MZXW6YTBOI&algorithm=SHA-512').algorithm).toBe('SHA-512')
  })

  it('refuses unsupported algorithms and out-of-range digits or periods', () => {
    expect(() => parseTotpUri('otpauth://totp/x?secret=MZXW6YTBOI&algorithm=MD5')).toThrow(/unsupported TOTP algorithm/)
    for (const q of ['digits=5', 'digits=11', 'digits=six', 'period=0', 'period=-30', 'period=soon']) {
      expect(() => parseTotpUri(`otpauth://totp/x?secret=MZXW6YTBOI&${q}`), q).toThrow(/invalid TOTP parameters/)
    }
  })
})

describe('totpAt', () => {
  it('counts the seconds left in the period and changes code at its boundary', async () => {
    const params = parseTotpUri('otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30')
    const start = 1_700_000_020_000 // 10 s into a 30-second period (1_700_000_010 is a multiple of 30)
    const a = await totpAt(params, start)
    expect(a.remaining).toBe(20)
    expect(a.period).toBe(30)
    expect(a.code).toMatch(/^\d{6}$/)
    expect((await totpAt(params, start + 19_999)).code).toBe(a.code)
    expect((await totpAt(params, start + 20_000)).remaining).toBe(30)
    expect((await totpAt(params, start + 20_000)).code).not.toBe(a.code)
  })
})
