/** Hash routes of the dashboard (web-ui/src/router.ts), and the one-time login code taken out of the address. */
import { afterEach, describe, it, expect, vi } from 'vitest'
import { loadPageModule } from './loadPageModule.js'

interface Route {
  page: 'items' | 'devices' | 'settings'
  id?: string
  mode: 'list' | 'view' | 'edit' | 'new'
}
interface Router {
  parseHash: (hash: string) => Route
  hrefOf: (route: Route) => string
  navigate: (route: Route) => void
  takeLoginCode: () => string | undefined
}
const router = await loadPageModule<Router>('router')

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('hash routes', () => {
  it('every route round-trips through its href, ids with reserved characters included', () => {
    const routes: Route[] = [
      { page: 'items', mode: 'list' },
      { page: 'items', mode: 'new' },
      { page: 'items', id: 'abc123', mode: 'view' },
      { page: 'items', id: 'a/b c#d?e%', mode: 'edit' },
      { page: 'devices', mode: 'list' },
      { page: 'settings', mode: 'list' }
    ]
    for (const r of routes) expect(router.parseHash(router.hrefOf(r)), router.hrefOf(r)).toEqual(r)
    expect(router.hrefOf({ page: 'items', id: 'a/b c#d?e%', mode: 'edit' })).toBe('#/item/a%2Fb%20c%23d%3Fe%25/edit')
  })

  it('reads anything else as the item list', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/item', '#/item/', '#/Devices'])
      expect(router.parseHash(hash), hash).toEqual({ page: 'items', mode: 'list' })
    expect(router.parseHash('#/item/x/whatever')).toEqual({ page: 'items', id: 'x', mode: 'view' })
  })

  it('navigate sets the hash only when it changes (no extra history entry)', () => {
    const location = { hash: '#/devices', pathname: '/' }
    vi.stubGlobal('location', location)
    router.navigate({ page: 'devices', mode: 'list' })
    expect(location.hash).toBe('#/devices')
    router.navigate({ page: 'items', id: 'x', mode: 'view' })
    expect(location.hash).toBe('#/item/x')
  })
})

describe('takeLoginCode', () => {
  function page(hash: string): { replaceState: ReturnType<typeof vi.fn> } {
    const history = { replaceState: vi.fn() }
    vi.stubGlobal('location', { hash, pathname: '/' })
    vi.stubGlobal('history', history)
    return history
  }

  it('takes a `kith open` code out of the address and replaces the history entry', () => {
    const history = page('#login=AbC-d_e12345')
    expect(router.takeLoginCode()).toBe('AbC-d_e12345')
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/#/')
  })

  it('leaves other addresses alone: no code, a malformed one, or one inside a longer hash', () => {
    for (const hash of ['', '#/', '#login=short', '#login=has space12', '#login=' + 'x'.repeat(65), '#/item/1#login=AbCdEfGh12']) {
      const history = page(hash)
      expect(router.takeLoginCode(), hash).toBeUndefined()
      expect(history.replaceState).not.toHaveBeenCalled()
    }
  })
})
