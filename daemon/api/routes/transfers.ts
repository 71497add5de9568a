/** /api/import, /api/export, /api/migrate and /api/destroy: bring data in, take it out, move it, erase it. */
import { Hono } from 'hono'
import type { PortabilityService } from '../../service/PortabilityService.js'
import { readJson, optionalString, requiredString } from '../readJson.js'
import { HttpError } from '../errors.js'
import { EXPORT_EXTENSIONS } from '../../interop/types.js'

export function transferRoutes (portability: PortabilityService, destroy: () => Promise<Record<string, unknown>>) {
  return new Hono()
    .post('/import', async c => {
      const body = await readJson(c)
      const format = requiredString(body, 'format')
      const data = requiredString(body, 'data')
      if (!/^[A-Za-z0-9+/=\r\n]*$/.test(data)) throw new HttpError(400, 'invalid_request', 'data must be the file in base64')
      const bytes = new Uint8Array(Buffer.from(data, 'base64'))
      return c.json(await portability.import(format, bytes, { vault: optionalString(body, 'vault'), password: optionalString(body, 'password') }))
    })
    .post('/export', async c => {
      const body = await readJson(c)
      const format = requiredString(body, 'format')
      const { bytes, count } = await portability.export(format, { vault: optionalString(body, 'vault'), password: optionalString(body, 'password') })
      const name = `kith-export${(EXPORT_EXTENSIONS as Record<string, string>)[format] ?? ''}`
      return c.body(Buffer.from(bytes), 200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${name}"`,
        'X-Kith-Items': String(count)
      })
    })
    .post('/migrate', async c => {
      const body = await readJson(c)
      const dryRun = body.dryRun === true
      return c.json(await portability.migrate(requiredString(body, 'from'), requiredString(body, 'to'), requiredString(body, 'orgDomain'), dryRun))
    })
    .post('/destroy', async c => {
      const body = await readJson(c)
      if (body.confirm !== true) throw new HttpError(400, 'confirmation_required', 'destroy needs {"confirm": true}: it deletes this device\'s vault data for good')
      return c.json(await destroy())
    })
}
