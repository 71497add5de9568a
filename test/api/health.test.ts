/**
 * /api/health, /api/strength and /api/generate/passphrase through the app, and the export file
 * password minimum: what the CLI and the dashboard call.
 */
import { describe, expect, it } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'
import { routeTable } from './routeTable.js'
import type { HealthAnswer } from '../../daemon/service/health/HealthService.js'

type ErrorBody = { error: { code: string; message: string } }

describe('GET /api/health', () => {
  it('answers the report of every live item, as CONTRACT.md shapes it', async () => {
    const { request } = await inProcessApp()
    const weak = (await (
      await request('POST', '/api/items', {
        body: { title: 'Mail', username: 'ann', password: 'password123', url: 'https://mail.example' }
      })
    ).json()) as { id: string }
    await request('POST', '/api/items', { body: { title: 'Shop', username: 'ann', password: 'password123', url: 'https://shop.example' } })
    await request('POST', '/api/items', { body: { title: 'Bank', password: 'q7#Lm2!vR9@xZ4$kP8&wN3^t' } })
    // the first answer may come before every password is estimated: asked again until complete, as the CLI does
    let report: HealthAnswer
    do {
      const res = await request('GET', '/api/health')
      expect(res.status).toBe(200)
      report = (await res.json()) as HealthAnswer
    } while (!report.complete)
    expect(report).toMatchObject({ checked: 3, complete: true, pending: 0 })
    expect(report.summary).toEqual({ weak: 2, reused: 2, old: 0, 'totp-missing': 0, duplicate: 0 })
    const mail = report.items.find(i => i.id === weak.id)
    expect(mail).toMatchObject({ id: weak.id, title: 'Mail', issues: ['weak', 'reused'], score: 0 })
    expect(JSON.stringify(report)).not.toContain('password123')
  }, 30_000)

  it('needs a credential with items:read and an unlocked vault', async () => {
    const { app, request, device } = await inProcessApp()
    const route = routeTable(app).find(r => r.method === 'GET' && r.path === '/api/health')
    expect(route?.scopes).toEqual(['items:read'])
    expect((await request('GET', '/api/health', { headers: { authorization: '' } })).status).toBe(401)
    await device.unlock.lock()
    const locked = await request('GET', '/api/health')
    expect(locked.status).toBe(423)
  })
})

describe('POST /api/strength', () => {
  it('answers the estimator’s verdict for the password in the body', async () => {
    const { request } = await inProcessApp()
    const weak = await (await request('POST', '/api/strength', { body: { password: 'password123' } })).json()
    expect(weak).toMatchObject({ score: 0, weak: true, label: 'Very weak' })
    const strong = await (await request('POST', '/api/strength', { body: { password: 'correct horse battery staple' } })).json()
    expect(strong).toMatchObject({ score: 4, weak: false, label: 'Strong' })
    expect((await request('POST', '/api/strength', { body: {} })).status).toBe(400)
  }, 30_000)

  it('answers without a credential only while the device is not set up (its first-run page has no session)', async () => {
    const { request, service } = await inProcessApp({ init: false })
    const anonymous = { headers: { authorization: '' }, body: { password: 'password123' } }
    expect((await request('POST', '/api/strength', anonymous)).status).toBe(200)
    await service.init('correct horse battery staple')
    expect((await request('POST', '/api/strength', anonymous)).status).toBe(401)
    expect((await request('POST', '/api/strength', { body: { password: 'x' } })).status).toBe(200)
  }, 30_000)
})

describe('POST /api/generate/passphrase', () => {
  it('makes a passphrase with the words and separator asked for; refuses bad options with 400', async () => {
    const { request } = await inProcessApp()
    const res = await request('POST', '/api/generate/passphrase', { body: { words: 5, separator: '_', capitalize: true } })
    expect(res.status).toBe(200)
    const { password } = (await res.json()) as { password: string }
    expect(password.split('_')).toHaveLength(5)
    expect(password).toMatch(/^[A-Z]/)
    const bad = await request('POST', '/api/generate/passphrase', { body: { words: 50 } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as ErrorBody).error.code).toBe('invalid_request')
  })
})

describe('POST /api/export: the file password', () => {
  it('refuses a kith-encrypted export whose password has fewer than 12 characters, and takes 12', async () => {
    const { request, reauthenticate } = await inProcessApp()
    await reauthenticate()
    const short = await request('POST', '/api/export', { body: { format: 'kith-encrypted', password: 'a' } })
    expect(short.status).toBe(400)
    expect(((await short.json()) as ErrorBody).error).toMatchObject({
      code: 'export_password_too_short',
      message: expect.stringMatching(/at least 12 characters/)
    })
    const eleven = await request('POST', '/api/export', { body: { format: 'kith-encrypted', password: 'ééééééééééé' } })
    expect(eleven.status).toBe(400)
    const twelve = await request('POST', '/api/export', { body: { format: 'kith-encrypted', password: 'twelve chars' } })
    expect(twelve.status).toBe(200)
  }, 60_000)
})
