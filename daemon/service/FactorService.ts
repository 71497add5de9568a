/**
 * This device's unlock methods as one list — the password, passkeys, password + passkey, the
 * recovery key (slots, keyring/UnlockMethods.ts) and the authenticator app that gates a password
 * unlock (keyring/TotpGate.ts) — and the changes `kith factors` and the dashboard's settings make:
 * an authenticator (confirmed by a code before it counts), a recovery key (shown once), removing
 * (never the last way in) and renaming; and the log of those changes. Adding a passkey is the
 * dashboard's (WebAuthn needs a browser). Changes need the vault unlocked; the API asks for the
 * password again before each (RecentProofs).
 */
import type { Keyring } from '../keyring/Keyring.js'
import type { UnlockMethodKind } from '../keyring/UnlockMethods.js'
import type { TotpInfo } from '../keyring/TotpGate.js'
import type { UnlockMethodLogEntry } from '../keyring/UnlockMethodLog.js'
import { InvalidRequestError } from './errors.js'

export type { UnlockMethodLogEntry }

export type FactorKind = UnlockMethodKind | 'totp'

/** One row of `kith factors --json` and `GET /api/factors`. */
export interface FactorView {
  id: string
  kind: FactorKind
  name: string
  createdAt: string | null
  lastUsedAt: string | null
  /** false for an authenticator added but not yet confirmed with a code (it gates nothing yet) */
  confirmed: boolean
}

export interface NewTotpView {
  id: string
  /** base32, for typing into an authenticator app */
  secret: string
  /** otpauth:// URI (the dashboard shows it as a QR code) */
  uri: string
}

const TOTP_PREFIX = 'totp-'
const MAX_NAME = 64

function checkName(name: string): string {
  const trimmed = name.trim()
  if (trimmed === '' || trimmed.length > MAX_NAME) throw new InvalidRequestError(`a name is 1 to ${MAX_NAME} characters`)
  return trimmed
}

const totpView = (t: TotpInfo): FactorView => ({
  id: t.id,
  kind: 'totp',
  name: t.name,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  confirmed: t.confirmed
})

export interface FactorServiceOptions {
  keyring: Keyring
  /** the account name an authenticator app shows beside "Kith" (this device's name) */
  deviceName: () => string
}

export class FactorService {
  constructor(private readonly options: FactorServiceOptions) {}

  private get keyring(): Keyring {
    return this.options.keyring
  }

  async list(): Promise<FactorView[]> {
    const methods = (await this.keyring.methods()).map(
      (m): FactorView => ({ id: m.id, kind: m.kind, name: m.name, createdAt: m.createdAt, lastUsedAt: m.lastUsedAt, confirmed: true })
    )
    return [...methods, ...(await this.keyring.totp.list()).map(totpView)]
  }

  async log(): Promise<UnlockMethodLogEntry[]> {
    return await this.keyring.methodLog.entries()
  }

  /** A new authenticator secret: it gates unlock once `confirmTotp` checked a code from the app. */
  async addTotp(name?: string): Promise<NewTotpView> {
    const created = await this.keyring.totp.begin(name === undefined ? undefined : checkName(name), this.options.deviceName() || 'Kith')
    return { id: created.info.id, secret: created.secret, uri: created.uri }
  }

  async confirmTotp(id: string, code: string): Promise<FactorView> {
    return totpView((await this.keyring.totp.confirm(id, code)).info)
  }

  /** A new recovery key (replacing the one there was), shown this once. */
  async addRecoveryKey(): Promise<{ id: string; recoveryKey: string }> {
    const { info, recoveryKey } = await this.keyring.methodEditor.addRecoveryKey()
    return { id: info.id, recoveryKey }
  }

  async remove(id: string): Promise<FactorView> {
    if (id.startsWith(TOTP_PREFIX)) return totpView(await this.keyring.totp.remove(id))
    const m = await this.keyring.methodEditor.remove(id)
    return { id: m.id, kind: m.kind, name: m.name, createdAt: m.createdAt, lastUsedAt: m.lastUsedAt, confirmed: true }
  }

  async rename(id: string, name: string): Promise<FactorView> {
    const checked = checkName(name)
    if (id.startsWith(TOTP_PREFIX)) return totpView(await this.keyring.totp.rename(id, checked))
    const m = await this.keyring.methodEditor.rename(id, checked)
    return { id: m.id, kind: m.kind, name: m.name, createdAt: m.createdAt, lastUsedAt: m.lastUsedAt, confirmed: true }
  }
}
