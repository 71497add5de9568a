/**
 * RFC 6238 TOTP codes computed in the page with WebCrypto, from the item's otpauth:// URI. The page
 * already holds the secret; computing here means an open item does not call the daemon every 30 s
 * (each API call restarts the auto-lock timer, so polling would keep the vault open forever).
 */
export interface TotpParams {
  secret: Uint8Array
  algorithm: 'SHA-1' | 'SHA-256' | 'SHA-512'
  digits: number
  period: number
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase()
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const ch of clean) {
    const index = BASE32.indexOf(ch)
    if (index < 0) throw new Error('the TOTP secret is not base32')
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return new Uint8Array(out)
}

/** Reads otpauth://totp/…?secret=…&algorithm=…&digits=…&period=… (or a bare base32 secret). */
export function parseTotpUri(uri: string): TotpParams {
  if (!uri.startsWith('otpauth://')) return { secret: base32Decode(uri), algorithm: 'SHA-1', digits: 6, period: 30 }
  const url = new URL(uri)
  const p = url.searchParams
  const algorithm = (p.get('algorithm') ?? 'SHA1').toUpperCase().replace(/^SHA-?/, 'SHA-') as TotpParams['algorithm']
  if (!['SHA-1', 'SHA-256', 'SHA-512'].includes(algorithm)) throw new Error(`unsupported TOTP algorithm ${algorithm}`)
  const digits = Number(p.get('digits') ?? 6)
  const period = Number(p.get('period') ?? 30)
  if (!(digits >= 6 && digits <= 10) || !(period > 0)) throw new Error('invalid TOTP parameters')
  return { secret: base32Decode(p.get('secret') ?? ''), algorithm, digits, period }
}

/** The code for a time (ms since the epoch), and the seconds left in its period. */
export async function totpAt(params: TotpParams, now = Date.now()): Promise<{ code: string; remaining: number; period: number }> {
  const step = Math.floor(now / 1000 / params.period)
  const counter = new Uint8Array(8)
  new DataView(counter.buffer).setBigUint64(0, BigInt(step))
  const key = await crypto.subtle.importKey(
    'raw',
    params.secret as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: params.algorithm },
    false,
    ['sign']
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, counter))
  const offset = (mac[mac.length - 1] as number) & 0x0f
  const binary =
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number)
  const code = String(binary % 10 ** params.digits).padStart(params.digits, '0')
  return { code, remaining: params.period - (Math.floor(now / 1000) % params.period), period: params.period }
}
