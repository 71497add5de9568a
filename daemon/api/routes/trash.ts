/** /api/trash: "Empty trash" and the purge of items trashed more than N days ago (0: never). */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { TrashPort } from '../ports.js'
import { jsonBody, trashEmptyBody, trashPatchBody } from '../schemas.js'

export function trashRoutes(trash: TrashPort) {
  return new Hono<ApiEnv>()
    .get('/', requireScope('items:read'), c => c.json({ purgeAfterDays: trash.purgeAfterDays }, 200))
    .patch('/', requireScope('items:write'), jsonBody(trashPatchBody), async c => {
      await trash.setPurgeAfterDays(c.req.valid('json').purgeAfterDays)
      return c.json({ purgeAfterDays: trash.purgeAfterDays }, 200)
    })
    .post('/empty', requireScope('items:write'), jsonBody(trashEmptyBody), async c =>
      c.json({ purged: await trash.emptyTrash(c.req.valid('json').vault) }, 200)
    )
}
