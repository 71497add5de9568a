/**
 * /api/session: redeem a one-time login code (public, browser only), mint one (CLI token only),
 * and end the calling page's own session.
 */
import { Hono } from 'hono'
import type { VaultService } from '../../service/VaultService.js'
import { HttpError } from '../errors.js'
import { readJson } from '../readJson.js'
import type { LoginLinks } from './LoginLinks.js'
import type { SessionStore } from './SessionStore.js'
import { clearSessionCookie, dashboardOrigin, fromDashboard, openSession } from './sessionAuth.js'

interface SessionRouteDeps {
  service: Pick<VaultService, 'unlocked'>
  sessions: SessionStore
  links: LoginLinks
  port: () => number
}

/** Needs no credential: the code in the body is the credential. */
export function publicSessionRoutes ({ service, sessions, links, port }: SessionRouteDeps) {
  return new Hono()
    .post('/redeem', async c => {
      if (!fromDashboard(c, port())) throw new HttpError(403, 'forbidden_origin', 'login links are redeemed by the dashboard page only')
      const body = await readJson(c)
      if (!links.redeem(body.code)) throw new HttpError(401, 'invalid_login_link', 'this login link was used already or has expired; run `kith open` again')
      if (!service.unlocked) throw new HttpError(423, 'locked', 'the vault is locked')
      return c.json({ ok: true, sessionToken: openSession(c, sessions, port()) })
    })
}

export function sessionRoutes ({ service, sessions, links, port }: SessionRouteDeps) {
  return new Hono()
    .post('/link', c => {
      if (c.get('dashboardSession') !== undefined) throw new HttpError(403, 'forbidden', 'login links are made by the CLI (`kith open`)')
      if (!service.unlocked) throw new HttpError(423, 'locked', 'the vault is locked')
      const { code, expiresAt } = links.mint()
      return c.json({ url: `${dashboardOrigin(port())}/#login=${code}`, expiresAt: new Date(expiresAt).toISOString() }, 201)
    })
    .delete('/', c => {
      const token = c.get('dashboardSession')
      // the cookie stays while another tab of this browser still uses it
      if (token === undefined || !sessions.drop(token).cookieStillUsed) clearSessionCookie(c, port())
      return c.json({ ok: true })
    })
}
