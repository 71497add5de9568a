/**
 * The browser half of passkey unlock (loaded on demand: it is not part of the first load). Runs
 * navigator.credentials.create()/get() through @simplewebauthn/browser with the WebAuthn PRF
 * extension: the daemon's salt goes in, the 32-byte PRF output comes back and is posted, base64url,
 * next to the credential — and is removed from the credential's own extension results so it is
 * sent once, in a field the daemon expects.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON
} from '@simplewebauthn/browser'

export class PasskeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PasskeyError'
  }
}

const fromBase64Url = (s: string): Uint8Array<ArrayBuffer> => {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(b.length)
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i)
  return out
}
const toBase64Url = (buf: ArrayBuffer | ArrayBufferView): string => {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The PRF output out of a credential's extension results, and the results without it. */
function takePrf<T extends { clientExtensionResults: object }>(credential: T): { credential: T; prfOutput: string } {
  const results = credential.clientExtensionResults as { prf?: { enabled?: boolean; results?: { first?: ArrayBuffer | ArrayBufferView } } }
  const first = results.prf?.results?.first
  if (first === undefined)
    throw new PasskeyError(
      'This passkey cannot unlock Kith: its authenticator does not support the PRF extension. Try another passkey or browser.'
    )
  const prfOutput = toBase64Url(first)
  return { credential: { ...credential, clientExtensionResults: { prf: { enabled: results.prf?.enabled ?? true } } }, prfOutput }
}

/** Why a ceremony stopped, in words: cancelled, timed out, or refused by the browser. */
function explain(err: unknown): Error {
  if (err instanceof PasskeyError) return err
  const name = err instanceof Error ? err.name : ''
  if (name === 'NotAllowedError' || name === 'AbortError') return new PasskeyError('The passkey request was cancelled or timed out.')
  if (name === 'InvalidStateError') return new PasskeyError('This authenticator already holds a passkey for this device.')
  return new PasskeyError(`The browser refused the passkey request: ${err instanceof Error ? err.message : String(err)}`)
}

/** Creates a passkey with the PRF evaluated at creation for `prfSalt`. */
export async function createPasskey(start: {
  options: unknown
  prfSalt: string
}): Promise<{ response: RegistrationResponseJSON; prfOutput: string }> {
  const optionsJSON = start.options as PublicKeyCredentialCreationOptionsJSON
  try {
    const created = await startRegistration({
      optionsJSON: { ...optionsJSON, extensions: { ...optionsJSON.extensions, prf: { eval: { first: fromBase64Url(start.prfSalt) } } } }
    })
    const { credential, prfOutput } = takePrf(created)
    return { response: credential, prfOutput }
  } catch (err) {
    throw explain(err)
  }
}

/** Asks for one of the device's passkeys, with each credential's own PRF salt. */
export async function usePasskey(start: {
  options: unknown
  prfSalts: Record<string, string>
}): Promise<{ response: AuthenticationResponseJSON; prfOutput: string }> {
  const optionsJSON = start.options as PublicKeyCredentialRequestOptionsJSON
  const evalByCredential = Object.fromEntries(Object.entries(start.prfSalts).map(([id, salt]) => [id, { first: fromBase64Url(salt) }]))
  try {
    const asserted = await startAuthentication({
      optionsJSON: { ...optionsJSON, extensions: { ...optionsJSON.extensions, prf: { evalByCredential } } }
    })
    const { credential, prfOutput } = takePrf(asserted)
    return { response: credential, prfOutput }
  } catch (err) {
    throw explain(err)
  }
}
