/** Password and key derivation: Argon2id (native `argon2`) and HKDF-SHA256. */
import argon2 from 'argon2'
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { CryptoError } from './errors.js'

export interface Argon2Params {
  /** memory in KiB */
  m: number
  /** iterations */
  t: number
  /** lanes */
  p: number
}

/** RFC 9106 second recommended profile; Kith never derives below it. */
export const ARGON2_FLOOR: Argon2Params = { m: 64 * 1024, t: 3, p: 4 }
export const SALT_BYTES = 16
/** The most memory Kith's own tuning gives Argon2id ({@link tuneArgon2}'s `maxM`), in KiB: 256 MiB. */
export const ARGON2_MAX_M = 256 * 1024
/** The dearest parameters a file Kith wrote can carry; a kith-encrypted file asking for more is refused before deriving. */
export const ARGON2_CEILING: Argon2Params = { m: ARGON2_MAX_M, t: 64, p: 64 }
/** The dearest a foreign encrypted export (Bitwarden, KDBX) may ask for: 1 GiB is Bitwarden's own maximum KDF memory. */
export const FOREIGN_ARGON2_CEILING: Argon2Params = { m: 1024 * 1024, t: 100, p: 64 }

/** Names the first parameter of `params` above `ceiling` (e.g. "memory 4096 MiB is above the 256 MiB limit"), or undefined. */
export function aboveCeiling(params: Argon2Params, ceiling: Argon2Params): string | undefined {
  if (params.m > ceiling.m) return `Argon2 memory ${Math.round(params.m / 1024)} MiB is above the ${ceiling.m / 1024} MiB limit`
  if (params.t > ceiling.t) return `Argon2 iterations ${params.t} are above the limit of ${ceiling.t}`
  if (params.p > ceiling.p) return `Argon2 parallelism ${params.p} is above the limit of ${ceiling.p}`
  return undefined
}

/**
 * Argon2id(password, salt) → 32-byte key. Refuses parameters below the floor unless `allowWeak` (tests of imports).
 * The password's bytes made here and the native result are overwritten before it returns: the key
 * exists once, in the array the caller gets (and zeroes after use). The argon2 package copies the
 * bytes once more for its native code, which wipes that copy itself (ARGON2_FLAG_CLEAR_PASSWORD).
 */
export async function argon2id(
  password: string | Uint8Array,
  salt: Uint8Array,
  params: Argon2Params,
  options: { allowWeak?: boolean } = {}
): Promise<Uint8Array> {
  if (options.allowWeak !== true && (params.m < ARGON2_FLOOR.m || params.t < ARGON2_FLOOR.t || params.p < ARGON2_FLOOR.p)) {
    throw new CryptoError(`Argon2id parameters below the floor (m=${ARGON2_FLOOR.m} KiB, t=${ARGON2_FLOOR.t}, p=${ARGON2_FLOOR.p})`)
  }
  const passwordBytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password)
  let raw: Buffer | undefined
  try {
    raw = await argon2.hash(passwordBytes, {
      type: argon2.argon2id,
      raw: true,
      salt: Buffer.from(salt),
      memoryCost: params.m,
      timeCost: params.t,
      parallelism: params.p,
      hashLength: 32
    })
    return new Uint8Array(raw)
  } finally {
    passwordBytes.fill(0)
    raw?.fill(0)
  }
}

/** HKDF-SHA256 with a domain-separating `info` label. */
export function hkdf(ikm: Uint8Array, info: string, salt?: Uint8Array, length = 32): Uint8Array {
  return nobleHkdf(sha256, ikm, salt, new TextEncoder().encode(info), length)
}

/**
 * Picks Argon2id parameters at or above the floor whose cost is near `targetMs` on this machine:
 * raises t (then memory) from the floor until a trial run takes at least the target.
 */
export async function tuneArgon2(targetMs = 500, maxM = ARGON2_MAX_M): Promise<Argon2Params> {
  const salt = new Uint8Array(SALT_BYTES)
  const params = { ...ARGON2_FLOOR }
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now()
    await argon2id('tune', salt, params)
    const ms = performance.now() - t0
    if (ms >= targetMs * 0.7) break
    const scale = Math.min(4, targetMs / Math.max(ms, 1))
    if (params.m * 2 <= maxM && scale >= 2) params.m *= 2
    else params.t = Math.max(params.t + 1, Math.round(params.t * scale))
  }
  return params
}
