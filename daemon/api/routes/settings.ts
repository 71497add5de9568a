/** /api/settings and /api/password: auto-lock time, master password change, password generator. */
import { Hono } from 'hono'
import type { VaultService } from '../../service/VaultService.js'
import { readJson, requiredString } from '../readJson.js'
import { generatePassword } from '../../service/passwordGenerator.js'
import { HttpError } from '../errors.js'

export function settingsRoutes (service: VaultService) {
  return new Hono()
    .get('/settings', c => c.json({ autoLockMinutes: service.autoLockMinutes }))
    .patch('/settings', async c => {
      const body = await readJson(c)
      if (body.autoLockMinutes !== undefined) {
        if (typeof body.autoLockMinutes !== 'number') throw new HttpError(400, 'invalid_request', 'autoLockMinutes must be a number')
        await service.setAutoLock(body.autoLockMinutes)
      }
      return c.json({ autoLockMinutes: service.autoLockMinutes })
    })
    .post('/password', async c => {
      const body = await readJson(c)
      await service.changePassword(requiredString(body, 'oldPassword'), requiredString(body, 'newPassword'))
      return c.json({ ok: true })
    })
    .post('/generate', async c => {
      const body = await readJson(c)
      const opt = (k: string): boolean | undefined => typeof body[k] === 'boolean' ? body[k] as boolean : undefined
      const length = typeof body.length === 'number' ? body.length : undefined
      return c.json({ password: generatePassword({ length, lower: opt('lower'), upper: opt('upper'), digits: opt('digits'), symbols: opt('symbols') }) })
    })
}
