/** /api/items/:id/history: an item's versions, and restoring one (a new edit that syncs like any other). */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { HistoryVersion, ItemsPort } from '../ports.js'
import { itemHistoryParams, valid } from '../schemas.js'

/** What GET /api/items/:id/history answers. */
export interface ItemHistoryResponse {
  id: string
  versions: HistoryVersion[]
}

export function itemHistoryRoutes(items: ItemsPort) {
  return new Hono<ApiEnv>()
    .get('/:id/history', requireScope('items:read'), valid('param', itemHistoryParams), c => {
      const { id } = c.req.valid('param')
      return c.json({ id, versions: items.itemHistory(id) } satisfies ItemHistoryResponse, 200)
    })
    .post('/:id/history/:version/restore', requireScope('items:write'), valid('param', itemHistoryParams), async c => {
      const { id, version } = c.req.valid('param')
      return c.json(await items.restoreVersion(id, version ?? ''), 200)
    })
}
