/**
 * Unlock slots (like LUKS key slots): each wraps the same 32-byte device root key under a key
 * derived from one unlock method. The slot key comes from:
 *
 * | kind | method            | slot key                                                              |
 * |------|-------------------|-----------------------------------------------------------------------|
 * | 1    | password          | Argon2id(password, salt, m, t, p)                                     |
 * | 2    | passkey (PRF)     | HKDF-SHA256(prf, salt, "kith/slot/passkey/v1")                        |
 * | 3    | password+passkey  | HKDF-SHA256(Argon2id(password, salt, m, t, p) ‖ prf, salt, "kith/slot/password+passkey/v1") |
 * | 4    | recovery key      | HKDF-SHA256(recovery key bytes, salt, "kith/slot/recovery-key/v1")    |
 *
 * Argon2id parameters below the Kdf port's floor are refused both ways (kinds 1 and 3); kinds 2 and
 * 4 start from 256 and 160 bits of entropy and record zero parameters.
 *
 * slot := u8 version(1) • u8 kind • u32 m • u32 t • u32 p • salt(16) • nonce(24) • ciphertext(48)
 * AAD  := "kith-slot" • everything before the nonce
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { seal, open } from '../crypto/aead.js'
import { type Argon2Params, hkdf, SALT_BYTES } from '../crypto/kdf.js'
import { randomBytes } from '../crypto/random.js'
import { concatBytes, utf8 } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'
import { requireFloor, type Kdf } from './Kdf.js'

const VERSION = 1
export const SlotKind = { password: 1, passkeyPrf: 2, passwordAndPasskey: 3, recoveryKey: 4 } as const
export type SlotKind = (typeof SlotKind)[keyof typeof SlotKind]

/** What opens a slot: one variant per kind. */
export type SlotSecret =
  | { kind: 'password'; password: string }
  | { kind: 'passkey'; prfOutput: Uint8Array }
  | { kind: 'password+passkey'; password: string; prfOutput: Uint8Array }
  | { kind: 'recovery-key'; key: Uint8Array }

const KIND_OF: Record<SlotSecret['kind'], SlotKind> = {
  password: SlotKind.password,
  passkey: SlotKind.passkeyPrf,
  'password+passkey': SlotKind.passwordAndPasskey,
  'recovery-key': SlotKind.recoveryKey
}

const NO_PARAMS: Argon2Params = { m: 0, t: 0, p: 0 }
/** a PRF output is 32 bytes (WebAuthn prf extension, HMAC-SHA-256) */
const PRF_BYTES = 32

export interface DecodedSlot {
  kind: SlotKind
  params: Argon2Params
  salt: Uint8Array
  nonce: Uint8Array
  ciphertext: Uint8Array
}

function header(kind: number, params: Argon2Params, salt: Uint8Array): Uint8Array {
  return new BinaryWriter().u8(VERSION).u8(kind).u32(params.m).u32(params.t).u32(params.p).raw(salt).finish()
}

const aad = (h: Uint8Array): Uint8Array => concatBytes(utf8('kith-slot'), h)

function requirePrf(prf: Uint8Array): void {
  if (!(prf instanceof Uint8Array) || prf.length !== PRF_BYTES) throw new FormatError(`a passkey's PRF output must be ${PRF_BYTES} bytes`)
}

/** The slot key for `secret` (a new buffer the caller overwrites after use). */
async function slotKey(kdf: Kdf, secret: SlotSecret, salt: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  switch (secret.kind) {
    case 'password':
      requireFloor(kdf, params)
      return await kdf.derive(secret.password, salt, params)
    case 'passkey':
      requirePrf(secret.prfOutput)
      return hkdf(secret.prfOutput, 'kith/slot/passkey/v1', salt)
    case 'password+passkey': {
      requirePrf(secret.prfOutput)
      requireFloor(kdf, params)
      const stretched = await kdf.derive(secret.password, salt, params)
      const both = concatBytes(stretched, secret.prfOutput)
      try {
        return hkdf(both, 'kith/slot/password+passkey/v1', salt)
      } finally {
        stretched.fill(0)
        both.fill(0)
      }
    }
    case 'recovery-key':
      return hkdf(secret.key, 'kith/slot/recovery-key/v1', salt)
  }
}

const usesArgon2 = (secret: SlotSecret): boolean => secret.kind === 'password' || secret.kind === 'password+passkey'

/** Wraps `rootKey` in a new slot for `secret` (Argon2id at `params` for the kinds that use a password). */
export async function createSlot(kdf: Kdf, secret: SlotSecret, rootKey: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  const salt = randomBytes(SALT_BYTES)
  const slotParams = usesArgon2(secret) ? params : NO_PARAMS
  const kek = await slotKey(kdf, secret, salt, slotParams)
  try {
    const h = header(KIND_OF[secret.kind], slotParams, salt)
    const { nonce, ciphertext } = seal(kek, rootKey, aad(h))
    return concatBytes(h, nonce, ciphertext)
  } finally {
    kek.fill(0)
  }
}

export async function createPasswordSlot(kdf: Kdf, password: string, rootKey: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  return await createSlot(kdf, { kind: 'password', password }, rootKey, params)
}

export function decodeSlot(bytes: Uint8Array): DecodedSlot {
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (version !== VERSION) throw new FormatError(`unknown unlock slot version ${version}`)
  const kind = r.u8() as SlotKind
  if (!Object.values(SlotKind).includes(kind)) throw new FormatError(`unknown unlock slot kind ${kind}`)
  const params = { m: r.u32(), t: r.u32(), p: r.u32() }
  const salt = r.raw(SALT_BYTES)
  const nonce = r.raw(24)
  const ciphertext = r.raw(r.remaining)
  return { kind, params, salt, nonce, ciphertext }
}

/**
 * Derives the slot key from `secret` and unwraps the root key; throws DecryptionError when the
 * secret is wrong, FormatError when the slot is of another kind, WeakKdfParamsError (before
 * deriving) when a password slot asks for less than the floor.
 */
export async function openSlot(kdf: Kdf, bytes: Uint8Array, secret: SlotSecret): Promise<Uint8Array> {
  const slot = decodeSlot(bytes)
  if (slot.kind !== KIND_OF[secret.kind]) throw new FormatError(`unlock slot kind ${slot.kind} is not a ${secret.kind} slot`)
  const kek = await slotKey(kdf, secret, slot.salt, slot.params)
  try {
    return open(kek, slot.nonce, slot.ciphertext, aad(header(slot.kind, slot.params, slot.salt)))
  } finally {
    kek.fill(0)
  }
}

export async function openPasswordSlot(kdf: Kdf, bytes: Uint8Array, password: string): Promise<Uint8Array> {
  return await openSlot(kdf, bytes, { kind: 'password', password })
}
