/**
 * Passkey unlock, loaded on demand with the WebAuthn code (not part of the first load): one
 * ceremony from the options the unlock page fetched when it opened (a challenge that expired while
 * the page waited is replaced once), and the re-authentication of a device that needs the password
 * and a passkey together.
 */
import { api, ApiError } from './api.js'
import { usePasskey } from './passkeyCeremony.js'
import { unlockWith } from './passkeyApi.js'

type Options = Awaited<ReturnType<typeof api.passkeyUnlockOptions>>

async function once(
  start: Options | undefined,
  password: string | undefined,
  totp: string | undefined,
  forCommandLine?: boolean
): Promise<void> {
  const answer = await usePasskey(start ?? (await api.passkeyUnlockOptions()))
  await unlockWith(answer, password, totp, forCommandLine)
}

/** Unlocks with a passkey; the password (and the authenticator app's code) only for a password-and-passkey unlock. */
export async function unlockWithPasskey(first: Options | undefined, password?: string, code?: string): Promise<void> {
  // the code goes only with the password (a passkey alone needs none), without the spaces people type
  const totp = password === undefined ? undefined : code?.replace(/\s+/g, '')
  await once(first, password, totp).catch(async (err: unknown) => {
    if (!(err instanceof ApiError) || err.code !== 'challenge_refused') throw err
    await once(undefined, password, totp)
  })
}

/** Re-authentication on a device that needs the password and a passkey together: one passkey ceremony with the password. */
export async function proveWithPasskey(password: string): Promise<void> {
  await once(undefined, password, undefined)
}

/** The same proof, for a `kith` command waiting in a terminal (ConfirmForCli): the daemon lets the CLI go on. */
export async function proveForCommandLine(password: string): Promise<void> {
  await once(undefined, password, undefined, true)
}
