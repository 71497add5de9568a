/** /api/import, /api/export, /api/migrate and /api/destroy: bring data in, take it out, move it, erase it. */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { DestroyResult, TransfersPort } from '../ports.js'
import { destroyBody, exportBody, importBody, jsonBody, migrateBody } from '../schemas.js'
import { EXPORT_EXTENSIONS } from '../../interop/types.js'
import type { RecentProofs } from '../RecentProofs.js'

/** Every export (plaintext or sealed under a password the caller picks) and destroy need the password proven recently. */
export function transferRoutes(transfers: TransfersPort, destroy: () => Promise<DestroyResult>, proofs: RecentProofs) {
  return (
    new Hono<ApiEnv>()
      .post('/import', requireScope('import'), jsonBody(importBody), async c => {
        const { format, data, vault, password } = c.req.valid('json')
        const bytes = new Uint8Array(Buffer.from(data, 'base64'))
        return c.json(await transfers.import(format, bytes, { vault, password }), 200)
      })
      /** answers the file itself (application/octet-stream), named in Content-Disposition, its item count in X-Kith-Items */
      .post('/export', requireScope('export'), proofs.required(), jsonBody(exportBody), async c => {
        const { format, vault, password } = c.req.valid('json')
        const { bytes, count } = await transfers.export(format, { vault, password })
        const name = `kith-export${(EXPORT_EXTENSIONS as Record<string, string>)[format] ?? ''}`
        return c.body(Buffer.from(bytes), 200, {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="${name}"`,
          'X-Kith-Items': String(count)
        })
      })
      .post('/migrate', requireScope('items:write'), jsonBody(migrateBody), async c => {
        const { from, to, orgDomain, dryRun, keep } = c.req.valid('json')
        const orgDomains = typeof orgDomain === 'string' ? [orgDomain] : orgDomain
        return c.json(await transfers.migrate({ from, to, orgDomains, dryRun: dryRun === true, keep }), 200)
      })
      .post(
        '/destroy',
        requireScope('destroy'),
        proofs.required(),
        jsonBody(destroyBody, 'confirmation_required', 'destroy needs {"confirm": true}: it deletes this device\'s vault data for good'),
        async c => c.json(await destroy(), 200)
      )
  )
}
