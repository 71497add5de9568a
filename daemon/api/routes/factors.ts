/**
 * /api/factors: this device's unlock methods and its authenticator (TOTP) gate. Listing needs a
 * credential; every change also needs the master password proven by the same caller in the last
 * few minutes (RecentProofs), and the vault unlocked. Passkeys are added under /api/passkeys.
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { FactorsPort } from '../ports.js'
import { factorRenameBody, jsonBody, totpAddBody, totpConfirmBody } from '../schemas.js'
import type { RecentProofs } from '../RecentProofs.js'

export function factorRoutes(factors: FactorsPort, proofs: RecentProofs) {
  const recent = proofs.required()
  return (
    new Hono<ApiEnv>()
      .get('/', requireScope('unlock:manage'), async c => c.json(await factors.list(), 200))
      // what changed and when (no secret)
      .get('/log', requireScope('unlock:manage'), async c => c.json(await factors.log(), 200))
      // the secret and its otpauth URI are answered this once; it gates unlock after /:id/confirm
      .post('/totp', requireScope('unlock:manage'), recent, jsonBody(totpAddBody), async c =>
        c.json(await factors.addTotp(c.req.valid('json').name), 201)
      )
      .post('/:id/confirm', requireScope('unlock:manage'), recent, jsonBody(totpConfirmBody), async c =>
        c.json(await factors.confirmTotp(c.req.param('id'), c.req.valid('json').code), 200)
      )
      // the key is answered this once; a new one replaces the old
      .post('/recovery-key', requireScope('unlock:manage'), recent, async c => c.json(await factors.addRecoveryKey(), 201))
      .patch('/:id', requireScope('unlock:manage'), recent, jsonBody(factorRenameBody), async c =>
        c.json(await factors.rename(c.req.param('id'), c.req.valid('json').name), 200)
      )
      .delete('/:id', requireScope('unlock:manage'), recent, async c => c.json(await factors.remove(c.req.param('id')), 200))
  )
}
