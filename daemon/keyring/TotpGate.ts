/**
 * The optional TOTP gate at unlock (RFC 6238: SHA-1, 6 digits, 30 s, what every authenticator app
 * reads). It is a gate, not a slot: the root key is wrapped by the password as before, and once the
 * password slot opened the keyring asks this gate for a current code before it keeps the key
 * (Keyring.withRootKey). It stops someone who has the password and uses this device; it cannot stop
 * someone holding a copy of the data directory, who opens the password slot offline (slot kind 3,
 * password + passkey, is for that).
 *
 * The secret is stored sealed (XChaCha20-Poly1305) under HKDF-SHA256(root key, "kith/totp/v1"), so
 * it is never in clear on disk and only an unlocked keyring (or the slot just opened) can read it.
 * Each code is accepted once: the last time step used is persisted, and only later steps count
 * (the previous, current and next step are accepted, for clocks a little apart).
 *
 * keyring/totp/<id> JSON {v: 1, name, createdAt, lastUsedAt, confirmed, lastStep, sealed}
 *   sealed := base64url(nonce(24) • ciphertext(20 + 16)); AAD "kith-totp" • id
 * A record is `confirmed` once a code from the person's app was checked; only confirmed ones gate.
 */
import * as OTPAuth from 'otpauth'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { keyringLayout } from '../storage/storageLayout.js'
import { hkdf } from '../crypto/kdf.js'
import { openPacked, sealPacked } from '../crypto/aead.js'
import { concatBytes, fromBase64Url, toBase64Url, toHex, utf8 } from '../crypto/bytes.js'
import { randomBytes } from '../crypto/random.js'
import { constantTimeEqual } from '../crypto/constantTime.js'
import { DecryptionError } from '../crypto/errors.js'
import type { UnlockMethodLog } from './UnlockMethodLog.js'
import { SecondFactorRequiredError, TotpConfirmError, UnlockMethodNotFoundError, WrongSecondFactorError } from './errors.js'

const VERSION = 1
const PERIOD = 30
const DIGITS = 6
const SECRET_BYTES = 20
/** steps either side of the current one that are accepted */
const WINDOW = 1

export interface TotpInfo {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  /** false until a code from the person's app was checked (`confirm`) */
  confirmed: boolean
}

interface TotpRecord extends TotpInfo {
  /** the last time step whose code was accepted (-1: none yet) */
  lastStep: number
  sealed: Uint8Array
}

export interface NewTotp {
  info: TotpInfo
  /** base32, for typing into an app */
  secret: string
  /** otpauth:// URI, for a QR code */
  uri: string
}

const PREFIX = 'totp/'
const recordKey = (id: string): string => keyringLayout.totp(id)
const aad = (id: string): Uint8Array => concatBytes(utf8('kith-totp'), utf8(id))
const sealingKey = (rootKey: Uint8Array): Uint8Array => hkdf(rootKey, 'kith/totp/v1')

function encode(r: TotpRecord): Uint8Array {
  return utf8(
    JSON.stringify({
      v: VERSION,
      name: r.name,
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
      confirmed: r.confirmed,
      lastStep: r.lastStep,
      sealed: toBase64Url(r.sealed)
    })
  )
}

function decode(id: string, bytes: Uint8Array): TotpRecord | undefined {
  try {
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    if (raw.v !== VERSION || typeof raw.sealed !== 'string') return undefined
    return {
      id,
      name: typeof raw.name === 'string' ? raw.name : 'Authenticator app',
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
      lastUsedAt: typeof raw.lastUsedAt === 'string' ? raw.lastUsedAt : null,
      // anything unreadable gates (a record that cannot be read must not turn the gate off)
      confirmed: raw.confirmed !== false,
      lastStep: typeof raw.lastStep === 'number' ? raw.lastStep : Number.MAX_SAFE_INTEGER,
      sealed: fromBase64Url(raw.sealed)
    }
  } catch {
    return undefined
  }
}

const publicInfo = ({ id, name, createdAt, lastUsedAt, confirmed }: TotpRecord): TotpInfo => ({
  id,
  name,
  createdAt,
  lastUsedAt,
  confirmed
})

export interface TotpGateOptions {
  storage: StorageAdapter
  /** the root key while unlocked (LockedError otherwise): adding, confirming and removing need it */
  rootKey: () => Uint8Array
  /** where changes are recorded */
  log?: UnlockMethodLog
  /** the clock codes are checked against (tests move it) */
  now?: () => number
}

export class TotpGate {
  private readonly storage: StorageAdapter
  private readonly now: () => number
  private readonly rootKey: () => Uint8Array
  private readonly log: UnlockMethodLog | undefined
  private on = false

  constructor(options: TotpGateOptions) {
    this.storage = options.storage
    this.now = options.now ?? Date.now
    this.rootKey = options.rootKey
    this.log = options.log
  }

  /** Reads whether a confirmed TOTP gates unlock (for `enabled`, which status reads synchronously). */
  async load(): Promise<void> {
    this.on = (await this.records()).some(r => r.confirmed)
  }

  /** True when unlocking by password also needs a current code. */
  get enabled(): boolean {
    return this.on
  }

  private async records(): Promise<TotpRecord[]> {
    const out: TotpRecord[] = []
    for await (const [key, value] of this.storage.entries(PREFIX)) {
      const id = key.slice(PREFIX.length)
      // an unreadable record still gates: it holds a secret nobody can check, so unlock by password fails until it is removed
      out.push(
        decode(id, value) ?? {
          id,
          name: 'Unreadable authenticator',
          createdAt: '',
          lastUsedAt: null,
          confirmed: true,
          lastStep: Number.MAX_SAFE_INTEGER,
          sealed: new Uint8Array()
        }
      )
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  async list(): Promise<TotpInfo[]> {
    return (await this.records()).map(publicInfo)
  }

  /** A new TOTP secret for the person's app; it gates nothing until `confirm` checked a code from it. */
  async begin(name = 'Authenticator app', account = 'Kith'): Promise<NewTotp> {
    const rootKey = this.rootKey()
    const id = `totp-${toHex(randomBytes(8))}`
    const secret = randomBytes(SECRET_BYTES)
    const key = sealingKey(rootKey)
    try {
      const record: TotpRecord = {
        id,
        name: name.trim() || 'Authenticator app',
        createdAt: new Date(this.now()).toISOString(),
        lastUsedAt: null,
        confirmed: false,
        lastStep: -1,
        sealed: sealPacked(key, secret, aad(id))
      }
      // a pending secret of an earlier, unfinished try goes
      const stale = (await this.records()).filter(r => !r.confirmed).map(r => ({ type: 'del' as const, key: recordKey(r.id) }))
      await this.storage.batch([...stale, { type: 'put', key: recordKey(id), value: encode(record) }])
      const otp = this.otp(secret, account)
      return { info: publicInfo(record), secret: otp.secret.base32, uri: otp.toString() }
    } finally {
      key.fill(0)
      secret.fill(0)
    }
  }

  /**
   * Activates a pending TOTP once `code` is a current code of its secret (that code is used up).
   * A TOTP confirmed before is replaced (a new phone). Returns it and the ids it replaced.
   */
  async confirm(id: string, code: string): Promise<{ info: TotpInfo; replaced: TotpInfo[] }> {
    const rootKey = this.rootKey()
    const all = await this.records()
    const record = all.find(r => r.id === id)
    if (record === undefined) throw new UnlockMethodNotFoundError(id)
    if (record.confirmed) throw new TotpConfirmError('this authenticator is already confirmed')
    const step = this.acceptedStep(rootKey, record, code)
    if (step === undefined)
      throw new TotpConfirmError('that code does not match: check the app shows the account just added, and the clock')
    const confirmed: TotpRecord = { ...record, confirmed: true, lastStep: step, lastUsedAt: new Date(this.now()).toISOString() }
    const replaced = all.filter(r => r.confirmed)
    await this.storage.batch([
      ...replaced.map(r => ({ type: 'del' as const, key: recordKey(r.id) })),
      { type: 'put', key: recordKey(id), value: encode(confirmed) }
    ])
    this.on = true
    await this.log?.record(
      { action: 'added', kind: 'totp', id, name: record.name },
      ...replaced.map(r => ({ action: 'removed' as const, kind: 'totp', id: r.id, name: r.name }))
    )
    return { info: publicInfo(confirmed), replaced: replaced.map(publicInfo) }
  }

  /**
   * The gate (Keyring.withRootKey, with the root key a password just opened): nothing when no TOTP
   * is confirmed; SecondFactorRequiredError without a code; WrongSecondFactorError for a code that
   * is not current or was used before. An accepted code's step is stored before this returns.
   */
  async check(rootKey: Uint8Array, code: string | undefined): Promise<void> {
    const gates = (await this.records()).filter(r => r.confirmed)
    this.on = gates.length > 0
    if (gates.length === 0) return
    if (code === undefined || code.trim() === '') throw new SecondFactorRequiredError()
    for (const record of gates) {
      const step = this.acceptedStep(rootKey, record, code)
      if (step === undefined) continue
      await this.storage.put(recordKey(record.id), encode({ ...record, lastStep: step, lastUsedAt: new Date(this.now()).toISOString() }))
      return
    }
    throw new WrongSecondFactorError()
  }

  /** Turns the gate off (or drops a pending secret); only while unlocked, so the gate cannot lift itself. */
  async remove(id: string): Promise<TotpInfo> {
    this.rootKey()
    const record = (await this.records()).find(r => r.id === id)
    if (record === undefined) throw new UnlockMethodNotFoundError(id)
    await this.storage.del(recordKey(id))
    await this.load()
    if (record.confirmed) await this.log?.record({ action: 'removed', kind: 'totp', id, name: record.name })
    return publicInfo(record)
  }

  async rename(id: string, name: string): Promise<TotpInfo> {
    const record = (await this.records()).find(r => r.id === id)
    if (record === undefined) throw new UnlockMethodNotFoundError(id)
    const renamed = { ...record, name }
    await this.storage.put(recordKey(id), encode(renamed))
    await this.log?.record({ action: 'renamed', kind: 'totp', id, name })
    return publicInfo(renamed)
  }

  private otp(secret: Uint8Array, account: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: 'Kith',
      label: account,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD,
      secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer })
    })
  }

  /** The time step `code` is the code of (one not used before, within the window), or undefined. */
  private acceptedStep(rootKey: Uint8Array, record: TotpRecord, code: string): number | undefined {
    const typed = code.replace(/\s+/g, '')
    if (!/^\d{6}$/.test(typed) || record.sealed.length === 0) return undefined
    const key = sealingKey(rootKey)
    let secretBytes: Uint8Array
    try {
      secretBytes = openPacked(key, record.sealed, aad(record.id))
    } catch (err) {
      // sealed under another key, or damaged: no code can match it
      if (err instanceof DecryptionError) return undefined
      throw err
    } finally {
      key.fill(0)
    }
    try {
      const secret = new OTPAuth.Secret({ buffer: Uint8Array.from(secretBytes).buffer })
      const current = Math.floor(this.now() / 1000 / PERIOD)
      let found: number | undefined
      // every candidate is computed and compared, whichever matches
      for (let step = current - WINDOW; step <= current + WINDOW; step++) {
        const expected = OTPAuth.HOTP.generate({ secret, algorithm: 'SHA1', digits: DIGITS, counter: step })
        if (constantTimeEqual(expected, typed) && step > record.lastStep && found === undefined) found = step
      }
      return found
    } finally {
      secretBytes.fill(0)
    }
  }
}
