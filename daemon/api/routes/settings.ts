/** /api/settings, /api/password and /api/generate: auto-lock time, master password change, password and passphrase generator. */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { SessionPort, SettingsPort } from '../ports.js'
import { generateBody, jsonBody, passphraseBody, passwordChangeBody, settingsPatchBody } from '../schemas.js'
import { generatePassphrase, generatePassword } from '../../service/passwordGenerator.js'
import type { RecentProofs } from '../RecentProofs.js'
import type { Context } from 'hono'

/** Auto-lock off (0) or longer than this needs the password proven recently; shorter never does. */
export const AUTO_LOCK_REAUTH_CEILING_MINUTES = 60

export function settingsRoutes(
  settings: SettingsPort,
  session: SessionPort,
  proofs: RecentProofs,
  proveCaller: (c: Context<ApiEnv>) => void
) {
  return (
    new Hono<ApiEnv>()
      .get('/settings', requireScope('settings'), c => c.json({ autoLockMinutes: settings.autoLockMinutes }, 200))
      .patch('/settings', requireScope('settings'), jsonBody(settingsPatchBody), async c => {
        const { autoLockMinutes } = c.req.valid('json')
        const loosens = autoLockMinutes !== undefined && (autoLockMinutes === 0 || autoLockMinutes > AUTO_LOCK_REAUTH_CEILING_MINUTES)
        if (loosens && autoLockMinutes !== settings.autoLockMinutes) proofs.check(c)
        if (autoLockMinutes !== undefined) await settings.setAutoLock(autoLockMinutes)
        return c.json({ autoLockMinutes: settings.autoLockMinutes }, 200)
      })
      // without oldPassword: only after an unlock with the recovery key, by a caller who proved it recently
      .post('/password', requireScope('unlock:manage'), jsonBody(passwordChangeBody), async c => {
        const { oldPassword, newPassword } = c.req.valid('json')
        if (oldPassword === undefined) {
          proofs.check(c)
          await session.setPasswordAfterRecovery(newPassword)
        } else await session.changePassword(oldPassword, newPassword)
        proveCaller(c)
        return c.json({ ok: true as const }, 200)
      })
      .post('/generate', requireScope('items:write'), jsonBody(generateBody), c =>
        c.json({ password: generatePassword(c.req.valid('json')) }, 200)
      )
      .post('/generate/passphrase', requireScope('items:write'), jsonBody(passphraseBody), async c =>
        c.json({ password: await generatePassphrase(c.req.valid('json')) }, 200)
      )
  )
}
