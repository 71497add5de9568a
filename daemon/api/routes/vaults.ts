/** /api/vaults: list and create vaults. */
import { Hono } from 'hono'
import type { VaultService } from '../../service/VaultService.js'
import { readJson, requiredString } from '../readJson.js'

export function vaultRoutes (service: VaultService) {
  return new Hono()
    .get('/', c => c.json(service.vaults()))
    .post('/', async c => {
      const body = await readJson(c)
      return c.json(await service.createVault(requiredString(body, 'name')), 201)
    })
}
