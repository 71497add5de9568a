/** The dashboard computes TOTP codes in the page (web-ui/src/totp.ts): RFC 6238 Appendix B vectors, and agreement with the daemon. */
import { describe, expect, it } from 'vitest'
import { base32Decode, parseTotpUri, totpAt } from '../../web-ui/src/totp.js'
import { totpCode } from '../../daemon/service/totp.js'

// RFC 6238 Appendix B: the seeds are the ASCII strings below, 8 digits, period 30
const SEEDS = {
  'SHA-1': '12345678901234567890',
  'SHA-256': '12345678901234567890123456789012',
  'SHA-512': '1234567890123456789012345678901234567890123456789012345678901234'
} as const
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826']
]

describe('TOTP in the dashboard', () => {
  it('matches all 18 RFC 6238 test vectors', async () => {
    for (const [seconds, sha1, sha256, sha512] of VECTORS) {
      for (const [algorithm, expected] of [
        ['SHA-1', sha1],
        ['SHA-256', sha256],
        ['SHA-512', sha512]
      ] as const) {
        const secret = new TextEncoder().encode(SEEDS[algorithm])
        const { code } = await totpAt({ secret, algorithm, digits: 8, period: 30 }, seconds * 1000)
        expect(code, `${algorithm} at T=${seconds}`).toBe(expected)
      }
    }
  })

  it('reads otpauth URIs and bare base32 secrets, and agrees with the daemon', async () => {
    expect([...base32Decode('MZXW6YTBOI======')]).toEqual([...new TextEncoder().encode('foobar')])
    const uri = 'otpauth://totp/Kith:jane?secret=JBSWY3DPEHPK3PXP&issuer=Kith&algorithm=SHA256&digits=8&period=60'
    const params = parseTotpUri(uri)
    expect(params).toMatchObject({ algorithm: 'SHA-256', digits: 8, period: 60 })
    for (const now of [0, 1_700_000_000_000, 1_700_000_059_999, Date.now()]) {
      expect((await totpAt(params, now)).code).toBe(totpCode(uri, now).code)
      expect((await totpAt(parseTotpUri('JBSWY3DPEHPK3PXP'), now)).code).toBe(totpCode('JBSWY3DPEHPK3PXP', now).code)
    }
    expect(() => parseTotpUri('otpauth://totp/x?secret=not*base32')).toThrow()
  })
})
