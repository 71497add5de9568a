/** /api/vaults: list and create vaults. */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { VaultsPort } from '../ports.js'
import { jsonBody, vaultCreateBody } from '../schemas.js'

export function vaultRoutes(vaults: VaultsPort) {
  return new Hono<ApiEnv>()
    .get('/', requireScope('items:read'), c => c.json(vaults.vaults(), 200))
    .post('/', requireScope('items:write'), jsonBody(vaultCreateBody), async c =>
      c.json(await vaults.createVault(c.req.valid('json').name), 201)
    )
}
