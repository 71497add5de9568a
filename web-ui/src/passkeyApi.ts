/**
 * The passkey routes of the API client (api.ts), in the chunks the passkey screens load on demand:
 * posting a WebAuthn credential with its PRF output, for an unlock or a new passkey.
 */
import { client, guarded, json, keep } from './api.js'

/** A WebAuthn credential as @simplewebauthn/browser serialises it, with the PRF output next to it (passkeyCeremony.ts). */
export interface PasskeyAnswer {
  response: object
  prfOutput: string
}
/** What the route's schema types the same JSON as (the daemon's WebAuthn library checks it field by field). */
type CeremonyJson = Parameters<(typeof client)['passkeys']['unlock']['$post']>[0]['json']

/** Unlocks (or proves, when already unlocked) with a passkey; keeps the session it opens. */
export const unlockWith = async (answer: PasskeyAnswer, password?: string, totp?: string, forCommandLine?: boolean) =>
  keep(await json(client.passkeys.unlock.$post({ json: { ...(answer as CeremonyJson), password, totp, forCommandLine } })))

/** A new passkey: options, then `create` (the browser's ceremony), then the answer; one proof of the password for both. */
export const addPasskey = async (
  name: string,
  withPassword: boolean,
  create: (start: { options: unknown; prfSalt: string }) => Promise<PasskeyAnswer>,
  password?: string
) =>
  await json(
    guarded(async () => {
      const answer = await create(await json(client.passkeys.register.options.$post({ json: { name, withPassword } })))
      return await client.passkeys.register.$post({ json: { ...(answer as CeremonyJson), password } })
    })
  )
