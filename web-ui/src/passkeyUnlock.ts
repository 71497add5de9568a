/**
 * Passkey unlock for the unlock screen: asks the daemon once whether this device has passkeys (and
 * whether it needs the password with them), fetching the ceremony's options and its code ahead of
 * the click, so the click goes straight to the authenticator. A challenge that expired while the
 * page waited is replaced once.
 */
import { api, ApiError } from './api.js'

type Ceremony = typeof import('./passkeyCeremony.js')
type Options = Awaited<ReturnType<typeof api.passkeyUnlockOptions>>

export interface PasskeyUnlocker {
  passwordRequired: boolean
  /** the password and the authenticator app's code only for a password-and-passkey unlock */
  unlock: (password?: string, totp?: string) => Promise<void>
}

const loadCeremony = async (): Promise<Ceremony> => await import('./passkeyCeremony.js')

/** The unlocker, or undefined when this device has no passkey (or the browser has no WebAuthn). */
export async function passkeyUnlocker(): Promise<PasskeyUnlocker | undefined> {
  if (typeof PublicKeyCredential === 'undefined') return undefined
  let next: Promise<Options> | undefined
  const options = await api.passkeyUnlockOptions()
  if (options.options === null) return undefined
  next = Promise.resolve(options)
  const ceremony = loadCeremony()
  const once = async (password: string | undefined, totp: string | undefined): Promise<void> => {
    const start = await (next ?? api.passkeyUnlockOptions())
    next = undefined
    const answer = await (await ceremony).usePasskey(start)
    await api.unlockWithPasskey(answer, password, totp)
  }
  return {
    passwordRequired: options.passwordRequired,
    async unlock(password, totp) {
      try {
        await once(password, totp).catch(async (err: unknown) => {
          if (!(err instanceof ApiError) || err.code !== 'challenge_refused') throw err
          await once(password, totp)
        })
      } catch (err) {
        // the next attempt starts a fresh ceremony
        next = api.passkeyUnlockOptions()
        next.catch(() => {})
        throw err
      }
    }
  }
}
