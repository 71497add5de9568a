/**
 * Re-authentication (issue 11 item 5): the actions that take data or trust off the device need the
 * master password proven by the same caller within the window, not just a live credential. A
 * process holding the CLI token, or a dashboard session someone walked up to, cannot export,
 * invite, remove or grant devices, turn auto-lock off or destroy without the password.
 */
import { describe, expect, it } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'
import { PASSWORD } from '../helpers/memoryDevice.js'
import { REAUTH_WINDOW_MS } from '../../daemon/api/RecentProofs.js'

const errorCode = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code

/** Every guarded action, as the CLI token would call it. */
const GUARDED: Array<[string, string, unknown?]> = [
  ['POST', '/api/export', { format: 'kith-json' }],
  ['POST', '/api/export', { format: 'csv' }],
  ['POST', '/api/export', { format: 'kith-encrypted', password: 'a long export password here' }],
  ['POST', '/api/pairing/invite', {}],
  ['DELETE', '/api/devices/someone'],
  ['POST', '/api/devices/someone/grant', { vault: 'Personal' }],
  ['POST', '/api/devices/someone/ungrant', { vault: 'Personal' }],
  ['PATCH', '/api/settings', { autoLockMinutes: 0 }],
  ['PATCH', '/api/settings', { autoLockMinutes: 61 }],
  ['POST', '/api/destroy', { confirm: true }]
]

async function clockedApp() {
  let now = Date.now()
  const app = await inProcessApp({ reauth: { now: () => now } })
  const advance = (ms: number): void => {
    now += ms
  }
  return { ...app, advance }
}

describe('re-authentication', () => {
  it('refuses every guarded action to a token that has not proven the password, and does nothing', async () => {
    const { request, destroyed, device } = await inProcessApp()
    // from a short auto-lock, so that 0 and 61 are changes
    expect((await request('PATCH', '/api/settings', { body: { autoLockMinutes: 5 } })).status).toBe(200)
    for (const [method, path, body] of GUARDED) {
      const res = await request(method, path, body === undefined ? {} : { body })
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(403)
      expect(await errorCode(res)).toBe('reauthentication_required')
    }
    expect(destroyed).toEqual([])
    expect(device.unlock.autoLockMinutes).toBe(5)
    const state = await request('GET', '/api/reauthenticate')
    expect(await state.json()).toEqual({ required: true, validUntil: null })
  })

  it('after POST /api/reauthenticate with the password the same caller may act, until the window passes', async () => {
    const { request, reauthenticate, advance } = await clockedApp()
    const proof = await reauthenticate()
    expect(proof.status).toBe(200)
    const exported = await request('POST', '/api/export', { body: { format: 'kith-json' } })
    expect(exported.status).toBe(200)
    expect((await request('PATCH', '/api/settings', { body: { autoLockMinutes: 0 } })).status).toBe(200)
    const state = (await (await request('GET', '/api/reauthenticate')).json()) as { required: boolean; validUntil: string }
    expect(state.required).toBe(false)
    advance(REAUTH_WINDOW_MS + 1)
    const stale = await request('POST', '/api/export', { body: { format: 'kith-json' } })
    expect(stale.status).toBe(403)
    expect(await errorCode(stale)).toBe('reauthentication_required')
  })

  it('a wrong password proves nothing and counts toward the unlock throttle', async () => {
    const { request, reauthenticate, device } = await inProcessApp()
    const wrong = await reauthenticate('not the password')
    expect(wrong.status).toBe(401)
    expect(await errorCode(wrong)).toBe('wrong_password')
    expect(device.keyring.throttle.failures).toBe(1)
    expect((await request('POST', '/api/export', { body: { format: 'kith-json' } })).status).toBe(403)
    const missing = await request('POST', '/api/reauthenticate', { body: {} })
    expect(missing.status).toBe(400)
  })

  it('an unlock through the API counts as a proof; so does a password change', async () => {
    const { request, advance } = await clockedApp()
    expect((await request('POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(200)
    expect((await request('POST', '/api/pairing/invite', { body: {} })).status).toBe(201)
    advance(REAUTH_WINDOW_MS + 1)
    expect((await request('POST', '/api/pairing/invite', { body: {} })).status).toBe(403)
    const changed = await request('POST', '/api/password', { body: { oldPassword: PASSWORD, newPassword: 'another good long password' } })
    expect(changed.status).toBe(200)
    expect((await request('POST', '/api/pairing/invite', { body: {} })).status).toBe(201)
  })

  it('shortening auto-lock, or keeping it as it is, needs no proof', async () => {
    const { request } = await inProcessApp()
    expect((await request('PATCH', '/api/settings', { body: { autoLockMinutes: 5 } })).status).toBe(200)
    expect((await request('PATCH', '/api/settings', { body: { autoLockMinutes: 60 } })).status).toBe(200)
    expect((await request('PATCH', '/api/settings', { body: {} })).status).toBe(200)
  })

  it('the guard answers before the request body is looked at: a refused destroy leaks nothing about its body', async () => {
    const { request } = await inProcessApp()
    const res = await request('POST', '/api/destroy', { body: { confirm: 'yes' } })
    expect(res.status).toBe(403)
  })
})
