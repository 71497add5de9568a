/** /api/items: list and search, create, read, edit, trash, restore and purge items; TOTP codes. */
import { Hono } from 'hono'
import type { VaultService } from '../../service/VaultService.js'
import { readJson, optionalString } from '../readJson.js'
import { itemInputFromBody } from '../itemBody.js'
import { totpCode } from '../../service/totp.js'
import { HttpError } from '../errors.js'
import { jsonArrayBody } from '../jsonArrayBody.js'

export function itemRoutes (service: VaultService) {
  return new Hono()
    .get('/', c => {
      const vault = c.req.query('vault')
      const q = c.req.query('q')
      const trashed = c.req.query('trashed') === 'true'
      return jsonArrayBody(c, service.listItemElements({ vault: vault === '' ? undefined : vault, q, trashed }))
    })
    .post('/', async c => {
      const body = await readJson(c)
      const vault = optionalString(body, 'vault')
      const item = await service.createItem({ ...itemInputFromBody(body), vault })
      return c.json({ id: item.id, item }, 201)
    })
    .get('/:id', c => c.json(service.getItem(c.req.param('id'))))
    .patch('/:id', async c => {
      const body = await readJson(c)
      return c.json(await service.updateItem(c.req.param('id'), itemInputFromBody(body)))
    })
    .delete('/:id', async c => {
      const id = c.req.param('id')
      if (c.req.query('purge') === 'true') await service.purgeItem(id)
      else await service.trashItem(id)
      return c.json({ id, trashed: true, purged: c.req.query('purge') === 'true' })
    })
    .post('/:id/restore', async c => {
      await service.restoreItem(c.req.param('id'))
      return c.json(service.getItem(c.req.param('id')))
    })
    .get('/:id/totp', c => {
      const item = service.getItem(c.req.param('id'))
      if (item.totp === null) throw new HttpError(404, 'no_totp', 'this item has no TOTP secret')
      return c.json(totpCode(item.totp))
    })
}
