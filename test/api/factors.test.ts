/**
 * Unlock methods over the HTTP API (issue 12 items 3–5): /api/factors changes need the password
 * proven again; POST /api/unlock takes {"password", "totp"} or {"recoveryKey"}; once an
 * authenticator is confirmed a password unlock — and a new dashboard session on an unlocked daemon
 * — needs its code; a recovery-key unlock leads to POST /api/password without the old one; the
 * last way in is never removed; every change is in GET /api/factors/log.
 */
import { describe, expect, it } from 'vitest'
import * as OTPAuth from 'otpauth'
import { inProcessApp, PORT } from '../helpers/inProcessApp.js'
import { PASSWORD } from '../helpers/memoryDevice.js'

// biome-ignore lint/suspicious/noExplicitAny: answers read field by field
const body = async (res: Response): Promise<any> => await res.json()
const errorCode = async (res: Response): Promise<string> => (await body(res)).error.code

/** What the dashboard page sends: its origin, no bearer token. */
const PAGE = { origin: `http://localhost:${PORT}`, 'sec-fetch-site': 'same-origin', authorization: '' }

async function withAuthenticator() {
  const app = await inProcessApp({ dashboard: true })
  expect((await app.reauthenticate()).status).toBe(200)
  const added = await app.request('POST', '/api/factors/totp', { body: { name: 'Phone' } })
  expect(added.status).toBe(201)
  const { id, secret, uri } = await body(added)
  expect(uri).toContain(secret)
  const otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
  const code = (steps = 0): string => otp.generate({ timestamp: Date.now() + steps * 30_000 })
  const confirmed = await app.request('POST', `/api/factors/${id}/confirm`, { body: { code: code(-1) } })
  expect(confirmed.status).toBe(200)
  return { ...app, id, code }
}

describe('/api/factors', () => {
  it('lists the password; adding an authenticator or a recovery key needs the password proven again', async () => {
    const { request, reauthenticate } = await inProcessApp()
    const list = await request('GET', '/api/factors')
    expect(list.status).toBe(200)
    expect(await body(list)).toEqual([expect.objectContaining({ id: 'password', kind: 'password', name: 'Master password' })])
    for (const [method, path, json] of [
      ['POST', '/api/factors/totp', {}],
      ['POST', '/api/factors/recovery-key', undefined],
      ['POST', '/api/factors/totp-x/confirm', { code: '123456' }],
      ['DELETE', '/api/factors/password', undefined],
      ['PATCH', '/api/factors/password', { name: 'x' }]
    ] as const) {
      const res = await request(method, path, json === undefined ? {} : { body: json })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await errorCode(res)).toBe('reauthentication_required')
    }
    await reauthenticate()
    const removed = await request('DELETE', '/api/factors/password')
    expect(removed.status).toBe(409)
    expect(await errorCode(removed)).toBe('unlock_method_refused')
    const key = await request('POST', '/api/factors/recovery-key')
    expect(key.status).toBe(201)
    expect((await body(key)).recoveryKey).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/)
    const kinds = (await body(await request('GET', '/api/factors'))).map((f: { kind: string }) => f.kind)
    expect(kinds).toEqual(['password', 'recovery-key'])
  })

  it('with an authenticator, unlock needs its code: missing and wrong codes are 401s that count as failures', async () => {
    const { request, device, code } = await withAuthenticator()
    await request('POST', '/api/lock')
    const missing = await request('POST', '/api/unlock', { body: { password: PASSWORD } })
    expect(missing.status).toBe(401)
    expect(await errorCode(missing)).toBe('second_factor_required')
    const wrong = await request('POST', '/api/unlock', { body: { password: PASSWORD, totp: code(5) } })
    expect(wrong.status).toBe(401)
    expect(await errorCode(wrong)).toBe('wrong_second_factor')
    expect(device.keyring.throttle.failures).toBe(2)
    expect(device.unlock.unlocked).toBe(false)
    const current = code()
    const ok = await request('POST', '/api/unlock', { body: { password: PASSWORD, totp: current } })
    expect(ok.status).toBe(200)
    expect(device.unlock.unlocked).toBe(true)
    // the very code just used (a fresh code() could fall in the next 30 s step, which is not a replay)
    const replay = await request('POST', '/api/unlock', { body: { password: PASSWORD, totp: current } })
    expect(await errorCode(replay)).toBe('wrong_second_factor')
  })

  it('a new dashboard session on an unlocked daemon needs the code too', async () => {
    const { request, device, code } = await withAuthenticator()
    expect(device.unlock.unlocked).toBe(true)
    const without = await request('POST', '/api/unlock', { body: { password: PASSWORD }, headers: PAGE })
    expect(without.status).toBe(401)
    expect(await errorCode(without)).toBe('second_factor_required')
    expect(without.headers.get('set-cookie')).toBeNull()
    const withCode = await request('POST', '/api/unlock', { body: { password: PASSWORD, totp: code(1) }, headers: PAGE })
    expect(withCode.status).toBe(200)
    expect(typeof (await body(withCode)).sessionToken).toBe('string')
  })

  it('a recovery key unlocks without the password or code, then POST /api/password sets a new one', async () => {
    const { request, reauthenticate, code } = await withAuthenticator()
    const { recoveryKey } = await body(await request('POST', '/api/factors/recovery-key'))
    // without a recovery unlock, no new password without the old one
    const early = await request('POST', '/api/password', { body: { newPassword: 'a new password here' } })
    expect(early.status).toBe(409)
    await request('POST', '/api/lock')
    const both = await request('POST', '/api/unlock', { body: { password: PASSWORD, recoveryKey } })
    expect(both.status).toBe(400)
    const malformed = await request('POST', '/api/unlock', { body: { recoveryKey: 'not a key' } })
    expect(await errorCode(malformed)).toBe('invalid_recovery_key')
    const wrongKey = await request('POST', '/api/unlock', { body: { recoveryKey: '0000-0000-0000-0000-0000-0000-0000-0000' } })
    expect(wrongKey.status).toBe(401)
    const unlocked = await request('POST', '/api/unlock', { body: { recoveryKey } })
    expect(unlocked.status).toBe(200)
    expect((await body(unlocked)).needsNewPassword).toBe(true)
    const set = await request('POST', '/api/password', { body: { newPassword: 'a new password here' } })
    expect(set.status).toBe(200)
    await request('POST', '/api/lock')
    const old = await request('POST', '/api/unlock', { body: { password: PASSWORD, totp: code(1) } })
    expect(await errorCode(old)).toBe('wrong_password')
    expect((await request('POST', '/api/unlock', { body: { password: 'a new password here', totp: code(1) } })).status).toBe(200)
    expect((await reauthenticate('a new password here')).status).toBe(200)
    const log = (await body(await request('GET', '/api/factors/log'))) as Array<{ action: string; kind: string }>
    expect(log.map(e => `${e.action} ${e.kind}`)).toEqual(['added totp', 'added recovery-key', 'password-set-after-recovery password'])
    expect(JSON.stringify(log)).not.toContain(recoveryKey)
  })

  it('removing the authenticator (re-authenticated, unlocked) lets the password alone unlock again', async () => {
    const { request, id } = await withAuthenticator()
    const removed = await request('DELETE', `/api/factors/${id}`)
    expect(removed.status).toBe(200)
    expect(await body(removed)).toMatchObject({ id, kind: 'totp', name: 'Phone' })
    await request('POST', '/api/lock')
    expect((await request('POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(200)
  })
})
