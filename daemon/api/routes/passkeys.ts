/**
 * /api/passkeys: unlock with a passkey (WebAuthn + PRF) and manage this device's passkeys.
 * The unlock ceremony is public, like /api/unlock, but only a page of the dashboard origin may run
 * it (the PRF salts go to nobody else); a successful one unlocks, and from the dashboard opens a
 * session and counts as the caller's proof (RecentProofs). Adding and removing a passkey need a
 * recent proof; listing and renaming need a session.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { requireScope, type ApiEnv } from '../auth.js'
import { HttpError } from '../errors.js'
import type { PasskeysPort } from '../ports.js'
import { jsonBody, passkeyCeremonyBody, passkeyOptionsBody, passkeyRenameBody } from '../schemas.js'
import { callerKey, callerOf, type RecentProofs } from '../RecentProofs.js'
import { principalOf } from '../Principal.js'
import type { AfterUnlock } from './session.js'

const dashboardOrigin = (port: number): string => `http://localhost:${port}`

/** Only a request the dashboard page made (its exact origin) may start or finish a ceremony. */
function fromDashboardOrigin(port: () => number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (c.req.header('origin') !== dashboardOrigin(port()))
      throw new HttpError(403, 'dashboard_only', `passkeys work only in the dashboard at ${dashboardOrigin(port())}`)
    await next()
  }
}

export function passkeyPublicRoutes(passkeys: PasskeysPort, port: () => number, afterUnlock: AfterUnlock, proofs: RecentProofs) {
  const dashboardOnly = fromDashboardOrigin(port)
  return new Hono<ApiEnv>()
    .post('/unlock/options', dashboardOnly, async c => c.json(await passkeys.unlockOptions(), 200))
    .post('/unlock', dashboardOnly, jsonBody(passkeyCeremonyBody), async c => {
      const { response, prfOutput, password, totp, forCommandLine } = c.req.valid('json')
      const passkey = await passkeys.unlock(
        { origin: dashboardOrigin(port()) },
        // the shape the browser sends; @simplewebauthn/server checks every field it uses
        { response: response as unknown as AuthenticationResponseJSON, prfOutput, password, totp }
      )
      // a ceremony that could unlock proves as much as the password: the CLI waiting for it may go on
      if (forCommandLine === true) proofs.prove(callerKey(principalOf('cli'), undefined))
      return c.json({ ok: true as const, passkey: passkey.id, ...afterUnlock(c) }, 200)
    })
}

export function passkeyRoutes(passkeys: PasskeysPort, port: () => number, proofs: RecentProofs) {
  const dashboardOnly = fromDashboardOrigin(port)
  const recent = proofs.required()
  return (
    new Hono<ApiEnv>()
      .get('/', requireScope('unlock:manage'), async c => c.json(await passkeys.list(), 200))
      // a new way in: the password (or a passkey) proven in the last minutes, from the dashboard page
      .post('/register/options', requireScope('unlock:manage'), recent, dashboardOnly, jsonBody(passkeyOptionsBody), async c => {
        const { name, withPassword } = c.req.valid('json')
        return c.json(
          await passkeys.registrationOptions({ origin: dashboardOrigin(port()), caller: callerOf(c) }, { name, withPassword }),
          200
        )
      })
      .post('/register', requireScope('unlock:manage'), recent, dashboardOnly, jsonBody(passkeyCeremonyBody), async c => {
        const { response, prfOutput, password } = c.req.valid('json')
        const added = await passkeys.register(
          { origin: dashboardOrigin(port()), caller: callerOf(c) },
          { response: response as unknown as RegistrationResponseJSON, prfOutput, password }
        )
        return c.json(added, 201)
      })
      .patch('/:id', requireScope('unlock:manage'), jsonBody(passkeyRenameBody), async c =>
        c.json(await passkeys.rename(c.req.param('id'), c.req.valid('json').name), 200)
      )
      .delete('/:id', requireScope('unlock:manage'), recent, async c => c.json(await passkeys.remove(c.req.param('id')), 200))
  )
}
