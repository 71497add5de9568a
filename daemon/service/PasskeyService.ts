/**
 * Passkey unlock (WebAuthn with the PRF extension) around the keyring's unlock methods: the
 * registration and authentication ceremonies, checked by @simplewebauthn/server (loaded only when a
 * ceremony starts: the daemon's quiet memory stays free of it), with single-use, short-lived
 * challenges, the daemon's own origin (`http://localhost:PORT`) and RP ID `localhost`, user
 * verification required and the signature counter kept. Only after the assertion checks out does
 * the PRF output reach the keyring, which derives the slot key from it (whitepaper §3).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { fromBase64Url } from '../crypto/bytes.js'
import { LockedError } from '../keyring/errors.js'
import type { UnlockRequest } from '../keyring/UnlockRequest.js'
import type { Keyring } from '../keyring/Keyring.js'
import type { UnlockMethodEditor } from '../keyring/UnlockMethodEditor.js'
import { ChallengeStore, type ChallengeStoreOptions } from './ChallengeStore.js'
import {
  InvalidRequestError,
  PasskeyNotFoundError,
  PasskeyPasswordRequiredError,
  PasskeyRefusedError,
  PrfUnsupportedError
} from './errors.js'
import { newPasskeyPublic, passkeyOf, passkeysOf, prfOutputOf, viewOf, type PasskeyRecord, type PasskeyView } from './PasskeyRecord.js'

export type { PasskeyView }

/** The RP ID every Kith dashboard uses: WebAuthn refuses IP addresses (localhost-security.md §3). */
export const RP_ID = 'localhost'
const MAX_NAME = 64

/** What the service reads of the keyring: whether it is open, and its unlock-method table (readable while locked). */
export type PasskeyKeyring = Pick<Keyring, 'unlocked' | 'methods'>
/** What it changes there (while unlocked, except a passkey's counter). */
export type PasskeyMethodEditor = Pick<UnlockMethodEditor, 'addPasskey' | 'remove' | 'rename' | 'updatePublic'>

/** What it needs of the unlock service: unlocking (or, when already open, checking) a request. */
export interface PasskeySession {
  unlock: (request: UnlockRequest) => Promise<void>
}

export interface PasskeyServiceOptions {
  keyring: PasskeyKeyring
  editor: PasskeyMethodEditor
  session: PasskeySession
  /** this device's id: the WebAuthn user handle is derived from it, so two Kith devices never overwrite each other's passkeys */
  deviceId: string
  challenges?: ChallengeStoreOptions
}

/** Who runs a ceremony: the dashboard origin it must come from, and (registration) the caller who asked for it. */
export interface CeremonyContext {
  /** `http://localhost:PORT` from the bound port, never from the request */
  origin: string
  caller?: string
}

interface Waiting {
  purpose: 'register' | 'unlock'
  caller?: string
  name?: string
  prfSalt?: Uint8Array
  withPassword?: boolean
}

export interface RegistrationStart {
  options: unknown
  /** the PRF input to evaluate at creation, base64url */
  prfSalt: string
}

export interface UnlockStart {
  /** null when this device has no passkey */
  options: unknown
  /** the PRF input per credential id, base64url */
  prfSalts: Record<string, string>
  /** the device unlocks with the master password and a passkey together */
  passwordRequired: boolean
}

type WebAuthnLibrary = typeof import('@simplewebauthn/server')
let library: Promise<WebAuthnLibrary> | undefined
/** @simplewebauthn/server, imported the first time a ceremony needs it. */
async function webauthn(): Promise<WebAuthnLibrary> {
  library ??= import('@simplewebauthn/server')
  return await library
}

/** A copy on a plain ArrayBuffer (what @simplewebauthn/server's types ask for). */
const plainCopy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => {
  const copy = new Uint8Array(bytes.length)
  copy.set(bytes)
  return copy
}

/** The challenge a browser answered, read from its clientDataJSON. */
function answeredChallenge(response: { response?: { clientDataJSON?: unknown } }): string {
  const data = response.response?.clientDataJSON
  if (typeof data !== 'string') throw new InvalidRequestError('response.response.clientDataJSON is required')
  try {
    const parsed = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { challenge?: unknown }
    if (typeof parsed.challenge === 'string') return parsed.challenge
  } catch {}
  throw new InvalidRequestError('response.response.clientDataJSON is not WebAuthn client data')
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidRequestError('a passkey needs a name')
  const trimmed = name.trim()
  if (trimmed.length > MAX_NAME) throw new InvalidRequestError(`a passkey name has at most ${MAX_NAME} characters`)
  return trimmed
}

const refused = (err: unknown): PasskeyRefusedError =>
  new PasskeyRefusedError(`the passkey was refused: ${err instanceof Error ? err.message : 'its answer did not verify'}`)

export class PasskeyService {
  /** one store per ceremony: the public unlock options can never push out a registration under way */
  private readonly registrations: ChallengeStore<Waiting>
  private readonly unlocks: ChallengeStore<Waiting>

  constructor(private readonly options: PasskeyServiceOptions) {
    this.registrations = new ChallengeStore(options.challenges)
    this.unlocks = new ChallengeStore(options.challenges)
  }

  async list(): Promise<{ passkeys: PasskeyView[]; passwordRequired: boolean }> {
    const passkeys = passkeysOf(await this.options.keyring.methods())
    return { passkeys: passkeys.map(viewOf), passwordRequired: passkeys.some(p => p.kind === 'password+passkey') }
  }

  /** Registration, step 1 (unlocked; the route asks for a recent proof): options for navigator.credentials.create(). */
  async registrationOptions(ctx: CeremonyContext, input: { name: unknown; withPassword?: boolean }): Promise<RegistrationStart> {
    const { keyring } = this.options
    if (!keyring.unlocked) throw new LockedError()
    const name = checkName(input.name)
    const existing = passkeysOf(await keyring.methods())
    const withPassword = input.withPassword === true || existing.some(p => p.kind === 'password+passkey')
    const prfSalt = new Uint8Array(randomBytes(32))
    const { bytes } = this.registrations.issue({ purpose: 'register', caller: ctx.caller, name, prfSalt, withPassword })
    const { generateRegistrationOptions } = await webauthn()
    const options = await generateRegistrationOptions({
      rpName: 'Kith',
      rpID: RP_ID,
      userName: 'Kith vault',
      userDisplayName: `Kith vault (${name})`,
      userID: plainCopy(createHash('sha256').update(`kith-user:${this.options.deviceId}`).digest().subarray(0, 16)),
      challenge: bytes,
      attestationType: 'none',
      excludeCredentials: existing.map(p => ({ id: p.public.credentialId, transports: p.public.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' }
    })
    return { options, prfSalt: Buffer.from(prfSalt).toString('base64url') }
  }

  /**
   * Registration, step 2: checks the new credential (challenge, origin, RP ID, user verification)
   * and gives the keyring its PRF output for a new unlock slot. With `password` (the
   * password-and-passkey option) the keyring derives the slot key from both and drops the
   * password-only and passkey-only slots.
   */
  async register(
    ctx: CeremonyContext,
    body: { response: RegistrationResponseJSON; prfOutput?: unknown; password?: string }
  ): Promise<PasskeyView> {
    const { keyring } = this.options
    const challenge = answeredChallenge(body.response)
    const waiting = this.registrations.take(challenge)
    if (waiting.purpose !== 'register' || waiting.caller !== ctx.caller || waiting.prfSalt === undefined || waiting.name === undefined)
      throw new PasskeyRefusedError('this passkey answer belongs to another request')
    if (!keyring.unlocked) throw new LockedError()
    const { verifyRegistrationResponse } = await webauthn()
    let verified: Awaited<ReturnType<WebAuthnLibrary['verifyRegistrationResponse']>>
    try {
      verified = await verifyRegistrationResponse({
        response: body.response,
        expectedChallenge: challenge,
        expectedOrigin: ctx.origin,
        expectedRPID: RP_ID,
        requireUserVerification: true
      })
    } catch (err) {
      throw refused(err)
    }
    if (!verified.verified) throw new PasskeyRefusedError('the new passkey did not verify')
    const prfOutput = prfOutputOf(body.prfOutput)
    if (prfOutput === undefined) throw new PrfUnsupportedError()
    try {
      if (waiting.withPassword === true && (typeof body.password !== 'string' || body.password === ''))
        throw new PasskeyPasswordRequiredError()
      // with the password, the keyring checks it against the password slot first (a typo would make a method nobody can open)
      const stored = newPasskeyPublic(verified.registrationInfo.credential, waiting.prfSalt)
      const added = await this.options.editor.addPasskey({
        name: waiting.name,
        prfOutput,
        public: { ...stored },
        withPassword: waiting.withPassword === true ? body.password : undefined
      })
      const view = passkeyOf(added)
      if (view === undefined) throw new PasskeyNotFoundError('the keyring did not keep the new passkey')
      return viewOf(view)
    } finally {
      prfOutput.fill(0)
    }
  }

  /** Unlock, step 1 (public): options for navigator.credentials.get() over this device's passkeys, with their PRF salts. */
  async unlockOptions(): Promise<UnlockStart> {
    const passkeys = passkeysOf(await this.options.keyring.methods())
    // no passkey: nothing to offer (an answer, not an error: the unlock page asks on every visit)
    if (passkeys.length === 0) return { options: null, prfSalts: {}, passwordRequired: false }
    const { bytes } = this.unlocks.issue({ purpose: 'unlock' })
    const { generateAuthenticationOptions } = await webauthn()
    const options = await generateAuthenticationOptions({
      rpID: RP_ID,
      challenge: bytes,
      userVerification: 'required',
      allowCredentials: passkeys.map(p => ({ id: p.public.credentialId, transports: p.public.transports }))
    })
    return {
      options,
      prfSalts: Object.fromEntries(passkeys.map(p => [p.public.credentialId, p.public.prfSalt])),
      passwordRequired: passkeys.some(p => p.kind === 'password+passkey')
    }
  }

  /**
   * Unlock, step 2 (public): checks the assertion (challenge, origin, RP ID, user verification,
   * signature against the stored key, counter), then unlocks with its PRF output (and the
   * password, for a password-and-passkey slot). A wrong PRF output is a wrong password to the
   * keyring (throttled, counted). Answers the method used.
   */
  async unlock(
    ctx: CeremonyContext,
    body: { response: AuthenticationResponseJSON; prfOutput?: unknown; password?: string; totp?: string }
  ): Promise<PasskeyView> {
    const { keyring, session } = this.options
    const challenge = answeredChallenge(body.response)
    const waiting = this.unlocks.take(challenge)
    if (waiting.purpose !== 'unlock') throw new PasskeyRefusedError('this passkey answer belongs to another request')
    const passkey = passkeysOf(await keyring.methods()).find(p => p.public.credentialId === body.response.id)
    if (passkey === undefined) throw new PasskeyRefusedError('this passkey is not one of this device’s unlock methods')
    const { verifyAuthenticationResponse } = await webauthn()
    let verified: Awaited<ReturnType<WebAuthnLibrary['verifyAuthenticationResponse']>>
    try {
      verified = await verifyAuthenticationResponse({
        response: body.response,
        expectedChallenge: challenge,
        expectedOrigin: ctx.origin,
        expectedRPID: RP_ID,
        credential: {
          id: passkey.public.credentialId,
          publicKey: plainCopy(fromBase64Url(passkey.public.publicKey)),
          counter: passkey.public.counter,
          transports: passkey.public.transports
        },
        requireUserVerification: true
      })
    } catch (err) {
      throw refused(err)
    }
    if (!verified.verified) throw new PasskeyRefusedError('the passkey’s signature did not verify')
    // the authenticator used this counter value, whatever the unlock makes of the PRF output: keep it first
    const counter = verified.authenticationInfo.newCounter
    if (counter !== passkey.public.counter) await this.options.editor.updatePublic(passkey.methodId, { ...passkey.public, counter })
    const prfOutput = prfOutputOf(body.prfOutput)
    if (prfOutput === undefined) throw new PrfUnsupportedError()
    try {
      await session.unlock(this.requestFor(passkey, prfOutput, body.password, body.totp))
    } finally {
      prfOutput.fill(0)
    }
    return viewOf({ ...passkey, public: { ...passkey.public, counter } })
  }

  /** A passkey alone needs nothing more; with the password, also the authenticator app's code when the device has one (TotpGate). */
  private requestFor(passkey: PasskeyRecord, prfOutput: Uint8Array, password: string | undefined, totp: string | undefined): UnlockRequest {
    if (passkey.kind === 'passkey') return { kind: 'passkey', methodId: passkey.methodId, prfOutput }
    if (typeof password !== 'string' || password === '') throw new PasskeyPasswordRequiredError()
    return { kind: 'password+passkey', methodId: passkey.methodId, password, prfOutput, ...(totp === undefined ? {} : { totp }) }
  }

  async rename(id: string, name: unknown): Promise<PasskeyView> {
    await this.find(id)
    await this.options.editor.rename(id, checkName(name))
    return viewOf(await this.find(id))
  }

  /** Removes a passkey (the keyring refuses the last way in); its credential unlocks nothing afterwards. */
  async remove(id: string): Promise<{ id: string; removed: true }> {
    await this.find(id)
    await this.options.editor.remove(id)
    return { id, removed: true }
  }

  private async find(id: string): Promise<PasskeyRecord> {
    const method = (await this.options.keyring.methods()).find(m => m.id === id)
    const passkey = method === undefined ? undefined : passkeyOf(method)
    if (passkey === undefined) throw new PasskeyNotFoundError()
    return passkey
  }
}
