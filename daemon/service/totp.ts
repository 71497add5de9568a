/** TOTP codes from an otpauth:// URI or a bare base32 secret (RFC 6238 via otpauth). */
import * as OTPAuth from 'otpauth'
import { InvalidRequestError } from './errors.js'
import { toError } from '../toError.js'

export function parseTotp(value: string): OTPAuth.TOTP {
  try {
    if (value.startsWith('otpauth://')) {
      const otp = OTPAuth.URI.parse(value)
      if (!(otp instanceof OTPAuth.TOTP)) throw new Error('not a TOTP URI')
      return otp
    }
    return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(value.replace(/\s+/g, '').toUpperCase()) })
  } catch (err) {
    throw new InvalidRequestError(`not a valid TOTP secret or otpauth URI (${toError(err).message})`)
  }
}

/** Normalises a secret or URI into an otpauth URI (what items store). */
export function normalizeTotp(value: string, label = 'Kith'): string {
  const otp = parseTotp(value)
  if (!value.startsWith('otpauth://')) {
    otp.label = label
    otp.issuer = ''
  }
  return otp.toString()
}

export function totpCode(value: string, now = Date.now()): { code: string; period: number; remaining: number } {
  const otp = parseTotp(value)
  const remaining = otp.period - (Math.floor(now / 1000) % otp.period)
  return { code: otp.generate({ timestamp: now }), period: otp.period, remaining }
}
