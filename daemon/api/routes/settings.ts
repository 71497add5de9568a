/** /api/settings, /api/password and /api/generate: auto-lock time, master password change, password generator. */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { SessionPort, SettingsPort } from '../ports.js'
import { generateBody, jsonBody, passwordChangeBody, settingsPatchBody } from '../schemas.js'
import { generatePassword } from '../../service/passwordGenerator.js'

export function settingsRoutes(settings: SettingsPort, session: SessionPort) {
  return new Hono<ApiEnv>()
    .get('/settings', requireScope('settings'), c => c.json({ autoLockMinutes: settings.autoLockMinutes }, 200))
    .patch('/settings', requireScope('settings'), jsonBody(settingsPatchBody), async c => {
      const { autoLockMinutes } = c.req.valid('json')
      if (autoLockMinutes !== undefined) await settings.setAutoLock(autoLockMinutes)
      return c.json({ autoLockMinutes: settings.autoLockMinutes }, 200)
    })
    .post('/password', requireScope('unlock:manage'), jsonBody(passwordChangeBody), async c => {
      const { oldPassword, newPassword } = c.req.valid('json')
      await session.changePassword(oldPassword, newPassword)
      return c.json({ ok: true as const }, 200)
    })
    .post('/generate', requireScope('items:write'), jsonBody(generateBody), c =>
      c.json({ password: generatePassword(c.req.valid('json')) }, 200)
    )
}
