/**
 * Unlock slots (like LUKS key slots): each wraps the same 32-byte device root key under a key
 * derived from one unlock method. Only the password slot exists today; the kind byte leaves room
 * for passkey-PRF (2) and password+passkey (3) slots without a format change. The slot key comes
 * from the Kdf port (Kdf.ts); parameters below its floor are refused both ways.
 *
 * slot := u8 version(1) • u8 kind • u32 m • u32 t • u32 p • salt(16) • nonce(24) • ciphertext(48)
 * AAD  := "kith-slot" • everything before the nonce
 */
import { BinaryWriter } from '../codec/BinaryWriter.js'
import { BinaryReader } from '../codec/BinaryReader.js'
import { seal, open } from '../crypto/aead.js'
import { type Argon2Params, SALT_BYTES } from '../crypto/kdf.js'
import { randomBytes } from '../crypto/random.js'
import { concatBytes, utf8 } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'
import { requireFloor, type Kdf } from './Kdf.js'

const VERSION = 1
export const SlotKind = { password: 1, passkeyPrf: 2, passwordAndPasskey: 3 } as const
export type SlotKind = (typeof SlotKind)[keyof typeof SlotKind]

export interface PasswordSlot {
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

export async function createPasswordSlot(kdf: Kdf, password: string, rootKey: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  requireFloor(kdf, params)
  const salt = randomBytes(SALT_BYTES)
  const kek = await kdf.derive(password, salt, params)
  try {
    const h = header(SlotKind.password, params, salt)
    const { nonce, ciphertext } = seal(kek, rootKey, aad(h))
    return concatBytes(h, nonce, ciphertext)
  } finally {
    kek.fill(0)
  }
}

export function decodeSlot(bytes: Uint8Array): PasswordSlot {
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (version !== VERSION) throw new FormatError(`unknown unlock slot version ${version}`)
  const kind = r.u8() as SlotKind
  const params = { m: r.u32(), t: r.u32(), p: r.u32() }
  const salt = r.raw(SALT_BYTES)
  const nonce = r.raw(24)
  const ciphertext = r.raw(r.remaining)
  return { kind, params, salt, nonce, ciphertext }
}

/**
 * Derives the slot key from the password and unwraps the root key; throws DecryptionError if the
 * password is wrong, WeakKdfParamsError (before deriving) if the slot asks for less than the floor.
 */
export async function openPasswordSlot(kdf: Kdf, bytes: Uint8Array, password: string): Promise<Uint8Array> {
  const slot = decodeSlot(bytes)
  if (slot.kind !== SlotKind.password) throw new FormatError(`unlock slot kind ${slot.kind} is not a password slot`)
  requireFloor(kdf, slot.params)
  const kek = await kdf.derive(password, slot.salt, slot.params)
  try {
    return open(kek, slot.nonce, slot.ciphertext, aad(header(slot.kind, slot.params, slot.salt)))
  } finally {
    kek.fill(0)
  }
}
