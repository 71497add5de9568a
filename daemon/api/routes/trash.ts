/**
 * /api/trash: how long the trash keeps items (`GET`, `PATCH {"days"}`: 0 keeps them until emptied)
 * and emptying it (`POST /api/trash/empty {"vault"?}` → `{"purged": n}`), which deletes every
 * trashed item for good as purging one does (no old ciphertext left: snapshot, then compaction).
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import { HttpError } from '../errors.js'
import type { TrashPort } from '../ports.js'
import { jsonBody, trashEmptyBody, trashPatchBody } from '../schemas.js'

export function trashRoutes(trash: TrashPort | undefined) {
  const port = (): TrashPort => {
    if (trash === undefined) throw new HttpError(404, 'no_trash', 'this daemon keeps no trash')
    return trash
  }
  return new Hono<ApiEnv>()
    .get('/', requireScope('items:read'), c => c.json({ days: port().days }, 200))
    .patch('/', requireScope('settings'), jsonBody(trashPatchBody), async c => {
      await port().setDays(c.req.valid('json').days)
      return c.json({ days: port().days }, 200)
    })
    .post('/empty', requireScope('items:write'), jsonBody(trashEmptyBody), async c =>
      c.json({ purged: await port().empty(c.req.valid('json').vault) }, 200)
    )
}
