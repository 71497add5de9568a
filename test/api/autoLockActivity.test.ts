/**
 * What counts as activity for the auto-lock: only authenticated requests a person made. Another
 * local process knocking without a credential (answered 401), and a page's event stream, status
 * polls and TOTP timer, never hold the vault open (issue 11: "every /api request restarted the timer").
 */
import { describe, expect, it, vi } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'

describe('auto-lock activity', () => {
  it('unauthenticated requests and passive polls do not restart the auto-lock timer; a person’s request does', async () => {
    const { request, device } = await inProcessApp()
    const touch = vi.spyOn(device.unlock, 'touch')
    const anonymous = { headers: { authorization: '' } }
    for (const path of ['/api/items', '/api/settings', '/api/devices', '/api/status']) {
      const res = await request('GET', path, anonymous)
      await res.body?.cancel()
    }
    expect((await request('POST', '/api/lock', anonymous)).status).toBe(401)
    const status = await request('GET', '/api/status')
    await status.body?.cancel()
    const item = (await (await request('POST', '/api/items', { body: { title: 'x', totp: 'JBSWY3DPEHPK3PXP' } })).json()) as { id: string }
    touch.mockClear()
    const totp = await request('GET', `/api/items/${item.id}/totp`)
    expect(totp.status).toBe(200)
    const events = await request('GET', '/api/events')
    await events.body?.cancel()
    expect(touch).not.toHaveBeenCalled()
    const list = await request('GET', '/api/items')
    expect(list.status).toBe(200)
    expect(touch).toHaveBeenCalledTimes(1)
  })
})

describe('what another user on this machine learns', () => {
  it('an unauthenticated GET /api/status says only running, initialized and locked; the owner sees the rest', async () => {
    const { request, device } = await inProcessApp()
    const anonymous = (await (await request('GET', '/api/status', { headers: { authorization: '' } })).json()) as Record<string, unknown>
    expect(Object.keys(anonymous).sort()).toEqual(['initialized', 'locked', 'running'])
    const owner = (await (await request('GET', '/api/status')).json()) as Record<string, unknown>
    expect(owner).toMatchObject({ running: true, initialized: true, deviceId: device.identity.deviceId, pid: process.pid })
  })

  it('POST /api/init on an initialized daemon answers 409 before any key derivation', async () => {
    const { request, device } = await inProcessApp()
    const kdf = vi.spyOn(device.keyring, 'initialize')
    const t0 = performance.now()
    const res = await request('POST', '/api/init', { headers: { authorization: '' }, body: { password: 'another password entirely' } })
    expect(res.status).toBe(409)
    expect(kdf).not.toHaveBeenCalled()
    expect(performance.now() - t0).toBeLessThan(200)
  })
})
