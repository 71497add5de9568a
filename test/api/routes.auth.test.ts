/**
 * Which routes need a credential is decided by structure: every route outside the public sub-app
 * answers 401 without one, whatever order routes are registered in. A new public route must be
 * added to the allow-list below on purpose.
 */
import { describe, expect, it } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'
import { concretePath, routeTable } from './routeTable.js'

/** The routes anyone on this machine may call (still Host- and Origin-checked). */
const PUBLIC = new Set([
  'GET /api/status',
  'POST /api/init',
  'POST /api/unlock',
  'POST /api/session/redeem',
  'POST /api/pairing/join',
  // the joining device's own verification words while it waits (it has no credential yet)
  'GET /api/pairing/join',
  // the passkey unlock ceremony (like /api/unlock; only from the dashboard origin)
  'POST /api/passkeys/unlock/options',
  'POST /api/passkeys/unlock',
  // the dashboard's page and its files
  'GET /',
  'GET /index.html',
  'GET /assets/:name',
  'GET /:name{[A-Za-z0-9][A-Za-z0-9_.-]*\\.(?:svg|png|ico|webmanifest)}'
])

describe('authentication by structure', () => {
  it('every route not on the public allow-list answers 401 without a credential', async () => {
    const { app, request } = await inProcessApp({ dashboard: true })
    const routes = routeTable(app)
    expect(routes.length).toBeGreaterThan(25)
    const unexpectedlyOpen: string[] = []
    for (const r of routes) {
      const key = `${r.method} ${r.path}`
      if (PUBLIC.has(key)) continue
      const res = await request(r.method, concretePath(r.path), {
        headers: { authorization: '' },
        ...(r.method === 'GET' ? {} : { body: {} })
      })
      if (res.status !== 401) unexpectedlyOpen.push(`${key} → ${res.status}`)
      await res.body?.cancel()
    }
    expect(unexpectedlyOpen).toEqual([])
  })

  it('the allow-list names only routes that exist, and public routes declare no scope', async () => {
    const { app } = await inProcessApp({ dashboard: true })
    const routes = new Map(routeTable(app).map(r => [`${r.method} ${r.path}`, r]))
    for (const key of PUBLIC) {
      expect(routes.has(key), key).toBe(true)
      expect(routes.get(key)?.scopes, key).toEqual([])
    }
  })

  it('public routes answer without a credential', async () => {
    const { request } = await inProcessApp({ init: false })
    expect((await request('GET', '/api/status', { headers: { authorization: '' } })).status).toBe(200)
    const init = await request('POST', '/api/init', { headers: { authorization: '' }, body: { password: 'correct horse battery staple' } })
    expect(init.status).toBe(201)
    expect(await init.json()).toMatchObject({ ok: true, initialized: true })
  })
})
