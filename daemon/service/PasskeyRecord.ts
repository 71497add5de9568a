/**
 * What Kith keeps in the clear about each passkey, in its unlock method's `public` JSON (readable
 * while locked, since the unlock page needs the credential ids): the credential id, its COSE public
 * key, the signature counter, the transports and the PRF salt. None of it is secret: the PRF output
 * the salt yields needs the authenticator and its user verification.
 */
import { fromBase64Url, toBase64Url } from '../crypto/bytes.js'

export type PasskeyKind = 'passkey' | 'password+passkey'
const PASSKEY_KINDS: readonly string[] = ['passkey', 'password+passkey']

import type { UnlockMethodInfo } from '../keyring/UnlockMethods.js'

export interface PasskeyPublic {
  /** base64url */
  credentialId: string
  /** COSE public key, base64url */
  publicKey: string
  counter: number
  transports: string[]
  /** the PRF input this credential is asked for at every unlock, base64url of 32 random bytes */
  prfSalt: string
}

export interface PasskeyRecord {
  methodId: string
  kind: PasskeyKind
  name: string
  createdAt: string | null
  lastUsedAt: string | null
  public: PasskeyPublic
}

/** The passkey view the API answers (no salt, no key). */
export interface PasskeyView {
  id: string
  kind: PasskeyKind
  name: string
  createdAt: string | null
  lastUsedAt: string | null
  transports: string[]
}

const isString = (v: unknown): v is string => typeof v === 'string' && v !== ''

/** The method as a passkey, or undefined when it is another kind or its public part is not a passkey's. */
export function passkeyOf(method: UnlockMethodInfo): PasskeyRecord | undefined {
  if (!PASSKEY_KINDS.includes(method.kind)) return undefined
  const p = method.public
  if (!isString(p.credentialId) || !isString(p.publicKey) || !isString(p.prfSalt)) return undefined
  const counter = typeof p.counter === 'number' && Number.isSafeInteger(p.counter) && p.counter >= 0 ? p.counter : 0
  const transports = Array.isArray(p.transports) ? p.transports.filter(isString) : []
  return {
    methodId: method.id,
    kind: method.kind as PasskeyKind,
    name: method.name,
    createdAt: method.createdAt,
    lastUsedAt: method.lastUsedAt,
    public: { credentialId: p.credentialId, publicKey: p.publicKey, counter, transports, prfSalt: p.prfSalt }
  }
}

export const passkeysOf = (methods: readonly UnlockMethodInfo[]): PasskeyRecord[] =>
  methods.map(passkeyOf).filter((p): p is PasskeyRecord => p !== undefined)

export const viewOf = (p: PasskeyRecord): PasskeyView => ({
  id: p.methodId,
  kind: p.kind,
  name: p.name,
  createdAt: p.createdAt,
  lastUsedAt: p.lastUsedAt,
  transports: p.public.transports
})

/** The JSON to store for a new credential. */
export function newPasskeyPublic(
  credential: { id: string; publicKey: Uint8Array; counter: number; transports?: string[] },
  prfSalt: Uint8Array
) {
  const stored: PasskeyPublic = {
    credentialId: credential.id,
    publicKey: toBase64Url(credential.publicKey),
    counter: credential.counter,
    transports: credential.transports ?? [],
    prfSalt: toBase64Url(prfSalt)
  }
  return stored
}

/** A PRF output as the browser posts it: base64url of exactly 32 bytes, or undefined. */
export function prfOutputOf(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined
  const bytes = fromBase64Url(value)
  return bytes.length === 32 ? bytes : undefined
}
