/** Turns every TOTP representation the formats use into an otpauth:// URI, keeping digits, period and algorithm. */
import { Secret } from 'otpauth'
import type { CustomField } from '../vault/Item.js'

/** Who the code is for: becomes the URI's issuer and label. */
export interface TotpContext {
  title: string
  username: string
}

/** The parameters of a TOTP generator; absent ones take the RFC 6238 defaults (6 digits, 30 s, SHA1). */
export interface TotpSettings {
  secret: string
  digits?: number
  period?: number
  algorithm?: string
  encoder?: 'steam'
}

/** The result: a URI or null; `unrecognised` holds a value that was neither (the caller keeps it as a hidden field). */
export interface TotpResult {
  uri: string | null
  unrecognised?: string
}

const BASE32 = /^[A-Z2-7]+=*$/

/** Upper-cased base32 without spaces, dashes or padding; null when it is not base32. */
export function cleanBase32(secret: string): string | null {
  const s = secret.replace(/[\s-]/g, '').toUpperCase()
  return s !== '' && BASE32.test(s) ? s.replace(/=+$/, '') : null
}

/** Builds `otpauth://totp/Issuer:label?secret=…&issuer=…&algorithm=…&digits=…&period=…`; the secret is kept verbatim (cleaned). */
export function buildOtpauth(settings: TotpSettings, ctx: TotpContext): string {
  const issuer = ctx.title.trim()
  const account = ctx.username.trim() !== '' ? ctx.username.trim() : issuer !== '' ? issuer : 'Kith'
  const label =
    issuer !== '' && issuer !== account ? `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}` : encodeURIComponent(account)
  const q = [`secret=${settings.secret}`]
  if (issuer !== '') q.push(`issuer=${encodeURIComponent(issuer)}`)
  q.push(`algorithm=${normaliseAlgorithm(settings.algorithm)}`, `digits=${settings.digits ?? 6}`, `period=${settings.period ?? 30}`)
  if (settings.encoder === 'steam') q.push('encoder=steam')
  return `otpauth://totp/${label}?${q.join('&')}`
}

function normaliseAlgorithm(a: string | undefined): string {
  const s = (a ?? 'SHA1')
    .toUpperCase()
    .replace(/^HMAC-?/, '')
    .replace(/-/g, '')
  return ['SHA1', 'SHA256', 'SHA512'].includes(s) ? s : 'SHA1'
}

/**
 * Any single TOTP value as the formats write it: an otpauth URI (kept verbatim), `steam://SECRET`,
 * KeeOtp `key=…&size=…&step=…`, or a bare base32 secret.
 */
export function toOtpauth(raw: string | null | undefined, ctx: TotpContext): TotpResult {
  const v = (raw ?? '').trim()
  if (v === '') return { uri: null }
  if (/^otpauth:\/\//i.test(v)) return { uri: v }
  if (/^steam:\/\//i.test(v)) {
    const secret = cleanBase32(v.slice(8))
    return secret !== null
      ? { uri: buildOtpauth({ secret, digits: 5, encoder: 'steam' }, { ...ctx, title: ctx.title !== '' ? ctx.title : 'Steam' }) }
      : { uri: null, unrecognised: v }
  }
  if (/^key=/i.test(v)) {
    const p = new URLSearchParams(v)
    const secret = cleanBase32(p.get('key') ?? '')
    if (secret === null) return { uri: null, unrecognised: v }
    return {
      uri: buildOtpauth(
        { secret, digits: num(p.get('size')), period: num(p.get('step')), algorithm: p.get('otpHashMode') ?? undefined },
        ctx
      )
    }
  }
  const secret = cleanBase32(v)
  return secret !== null ? { uri: buildOtpauth({ secret }, ctx) } : { uri: null, unrecognised: v }
}

function num(s: string | null | undefined): number | undefined {
  const n = Number(s)
  return s !== null && s !== undefined && s.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined
}

/** KeePassXC's legacy pair: `TOTP Seed` (base32) and `TOTP Settings` ("period;digits", "period;S" for Steam, optional ";algorithm"). */
export function fromLegacyKeePass(seed: string, settings: string | undefined, ctx: TotpContext): TotpResult {
  const secret = cleanBase32(seed)
  if (secret === null) return { uri: null, unrecognised: seed }
  const [period, digits, algorithm] = (settings ?? '').split(';').map(s => s.trim())
  if (digits === 'S') return { uri: buildOtpauth({ secret, period: num(period), digits: 5, encoder: 'steam' }, ctx) }
  return {
    uri: buildOtpauth({ secret, period: num(period), digits: num(digits), algorithm: algorithm !== '' ? algorithm : undefined }, ctx)
  }
}

/** KeePass 2.47+ `TimeOtp-*` strings (secret as Base32, Hex, Base64 or UTF-8; Length; Period; Algorithm), or null if absent. */
export function fromKeePassTimeOtp(get: (key: string) => string | undefined, ctx: TotpContext): TotpResult | null {
  let bytes: Uint8Array | null = null
  const b32 = get('TimeOtp-Secret-Base32')
  const hex = get('TimeOtp-Secret-Hex')
  const b64 = get('TimeOtp-Secret-Base64')
  const utf = get('TimeOtp-Secret')
  let secret: string | null = null
  if (b32 !== undefined) secret = cleanBase32(b32)
  else if (hex !== undefined && /^([0-9a-f]{2})+$/i.test(hex.replace(/\s/g, '')))
    bytes = new Uint8Array(Buffer.from(hex.replace(/\s/g, ''), 'hex'))
  else if (b64 !== undefined) bytes = new Uint8Array(Buffer.from(b64, 'base64'))
  else if (utf !== undefined) bytes = new TextEncoder().encode(utf)
  else return null
  if (bytes !== null && bytes.length > 0) secret = new Secret({ buffer: bytes.slice().buffer }).base32
  if (secret === null) return { uri: null, unrecognised: b32 ?? hex ?? b64 ?? utf ?? '' }
  return {
    uri: buildOtpauth(
      { secret, digits: num(get('TimeOtp-Length')), period: num(get('TimeOtp-Period')), algorithm: get('TimeOtp-Algorithm') },
      ctx
    )
  }
}

/** The base32 secret inside an otpauth URI (upper-cased, unpadded), or null. */
export function secretOf(uri: string | null): string | null {
  if (uri === null) return null
  try {
    const s = new URL(uri).searchParams.get('secret')
    return s === null ? null : cleanBase32(s)
  } catch {
    return null
  }
}

/**
 * Applies a TotpResult to an item under construction: returns the URI, and when the value was not recognisable
 * keeps it as a hidden field named `TOTP` and notes a warning, so nothing is dropped.
 */
export function settleTotp(result: TotpResult, fields: CustomField[], warn: (kind: string) => void): string | null {
  if (result.unrecognised !== undefined) {
    fields.push({ name: 'TOTP', value: result.unrecognised, hidden: true })
    warn('TOTP values that are neither otpauth URIs nor base32 secrets were kept as a hidden field named TOTP')
  }
  return result.uri
}
