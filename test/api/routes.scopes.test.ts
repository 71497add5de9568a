/**
 * Every authenticated route declares the scope it needs, and every kind of caller gets exactly
 * what its scopes allow: a 403 `insufficient_scope` otherwise, checked before anything else runs.
 */
import { describe, expect, it } from 'vitest'
import type { Authenticator } from '../../daemon/api/auth.js'
import { principalOf, SCOPES, SCOPES_BY_KIND, type PrincipalKind } from '../../daemon/api/Principal.js'
import { inProcessApp } from '../helpers/inProcessApp.js'
import { concretePath, routeTable } from './routeTable.js'

const KINDS = Object.keys(SCOPES_BY_KIND) as PrincipalKind[]
const PRINCIPAL_HEADER = 'x-test-principal'

/** A credential for any kind of caller, for this test only. */
const testAuthenticator: Authenticator = c => {
  const kind = c.req.header(PRINCIPAL_HEADER) as PrincipalKind | undefined
  return kind === undefined || !KINDS.includes(kind) ? undefined : principalOf(kind)
}

describe('scopes', () => {
  it('the CLI and a dashboard session hold every scope; an extension only items:read', () => {
    expect([...principalOf('cli').scopes].sort()).toEqual([...SCOPES].sort())
    expect([...principalOf('dashboard').scopes].sort()).toEqual([...SCOPES].sort())
    expect([...principalOf('extension').scopes]).toEqual(['items:read'])
  })

  it('every authenticated route declares exactly one scope', async () => {
    const { app } = await inProcessApp({ dashboard: true })
    const undeclared = routeTable(app).filter(r => r.path.startsWith('/api/') && r.scopes.length !== 1 && !isPublic(r.method, r.path))
    expect(undeclared.map(r => `${r.method} ${r.path}: ${r.scopes.join(',') || 'none'}`)).toEqual([])
  })

  it('walks every authenticated route against every kind of caller', async () => {
    const { app, request } = await inProcessApp({ dashboard: true, authenticators: [testAuthenticator] })
    const routes = routeTable(app).filter(r => r.scopes.length > 0)
    expect(routes.length).toBeGreaterThan(20)
    const wrong: string[] = []
    for (const kind of KINDS) {
      const held = new Set(SCOPES_BY_KIND[kind])
      for (const r of routes) {
        const res = await request(r.method, concretePath(r.path), {
          headers: { authorization: '', [PRINCIPAL_HEADER]: kind },
          ...(r.method === 'GET' ? {} : { body: {} })
        })
        const code = res.status === 403 || res.status === 401 ? ((await res.json()) as { error: { code: string } }).error.code : undefined
        await res.body?.cancel().catch(() => {})
        const allowed = r.scopes.every(s => held.has(s))
        const refused = res.status === 403 && code === 'insufficient_scope'
        if (allowed && (refused || res.status === 401)) wrong.push(`${kind} ${r.method} ${r.path}: refused (${res.status} ${String(code)})`)
        if (!allowed && !refused) wrong.push(`${kind} ${r.method} ${r.path}: let through (${res.status})`)
      }
    }
    expect(wrong).toEqual([])
  })
})

function isPublic(method: string, path: string): boolean {
  return [
    'GET /api/status',
    'POST /api/init',
    'POST /api/unlock',
    'POST /api/session/redeem',
    'POST /api/pairing/join',
    'GET /api/pairing/join',
    'POST /api/passkeys/unlock/options',
    'POST /api/passkeys/unlock',
    // the strength meter: without a credential before setup, any credential after (it reads nothing of the vault)
    'POST /api/strength'
  ].includes(`${method} ${path}`)
}
