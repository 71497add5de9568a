/** /api/items: list and search, create, read, edit, trash, restore and purge items; TOTP codes. */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { ItemsPort } from '../ports.js'
import type { Item } from '../../vault/Item.js'
import { itemCreateSchema, itemDeleteQuery, itemListQuery, itemPatchSchema, jsonBody, queryOf, toItemInput } from '../schemas.js'
import { totpCode } from '../../service/totp.js'
import { HttpError } from '../errors.js'
import { jsonArrayBody } from '../jsonArrayBody.js'

/** What DELETE answers: exactly one of the two happened. */
export type ItemRemoval = { id: string; trashed: true; purged: false } | { id: string; trashed: false; purged: true }

export function itemRoutes(items: ItemsPort) {
  return new Hono<ApiEnv>()
    .get('/', requireScope('items:read'), queryOf(itemListQuery), c => {
      const { vault, q, trashed } = c.req.valid('query')
      if (items.changes !== undefined) c.header('x-kith-changes', String(items.changes))
      return jsonArrayBody<Item>(c, items.listItemElements({ vault: vault === '' ? undefined : vault, q, trashed: trashed === 'true' }))
    })
    .post('/', requireScope('items:write'), jsonBody(itemCreateSchema), async c => {
      const { vault, ...body } = c.req.valid('json')
      const item = await items.createItem({ ...toItemInput(body), vault })
      return c.json({ id: item.id, item }, 201)
    })
    .get('/:id', requireScope('items:read'), c => c.json(items.getItem(c.req.param('id')), 200))
    .patch('/:id', requireScope('items:write'), jsonBody(itemPatchSchema), async c =>
      c.json(await items.updateItem(c.req.param('id'), toItemInput(c.req.valid('json'))), 200)
    )
    .delete('/:id', requireScope('items:write'), queryOf(itemDeleteQuery), async c => {
      const id = c.req.param('id')
      if (c.req.valid('query').purge === 'true') {
        await items.purgeItem(id)
        return c.json({ id, trashed: false, purged: true } satisfies ItemRemoval, 200)
      }
      await items.trashItem(id)
      return c.json({ id, trashed: true, purged: false } satisfies ItemRemoval, 200)
    })
    .post('/:id/restore', requireScope('items:write'), async c => {
      await items.restoreItem(c.req.param('id'))
      return c.json(items.getItem(c.req.param('id')), 200)
    })
    .get('/:id/totp', requireScope('items:read'), c => {
      const item = items.getItem(c.req.param('id'))
      if (item.totp === null) throw new HttpError(404, 'no_totp', 'this item has no TOTP secret')
      return c.json(totpCode(item.totp), 200)
    })
}
