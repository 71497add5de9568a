/**
 * The key-derivation port of the unlock slots: password, salt and cost in, a 32-byte slot key out.
 * A daemon always uses argon2idKdf, which never derives below the RFC 9106 floor. A unit test that
 * is not about Argon2 may hand its Keyring a cheaper profile explicitly (test/helpers/testKdf.ts);
 * there is deliberately no environment switch that could weaken a running daemon.
 */
import { ARGON2_FLOOR, argon2id, type Argon2Params } from '../crypto/kdf.js'
import { WeakKdfParamsError } from './errors.js'

export interface Kdf {
  /** Parameters below these are refused, for a new slot and for a stored one alike. */
  readonly floor: Argon2Params
  /** Derives the 32-byte slot key. */
  derive: (password: string, salt: Uint8Array, params: Argon2Params) => Promise<Uint8Array>
}

/** Argon2id at or above the RFC 9106 second profile (m = 64 MiB, t = 3, p = 4). */
export const argon2idKdf: Kdf = {
  floor: ARGON2_FLOOR,
  derive: async (password, salt, params) => await argon2id(password, salt, params)
}

/** Throws WeakKdfParamsError when `params` are below the KDF's floor in any dimension. */
export function requireFloor(kdf: Kdf, params: Argon2Params): void {
  const { floor } = kdf
  if (params.m < floor.m || params.t < floor.t || params.p < floor.p) throw new WeakKdfParamsError(params, floor)
}
