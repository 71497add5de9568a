/** Hash routes (#/item/ID, #/devices …): the back button works, and nothing reaches the server. */
import { useEffect, useState } from 'preact/hooks'
import { confirmLeave, hasUnsavedEdit } from './unsavedChanges.js'

export type Page = 'items' | 'devices' | 'settings' | 'health'

export interface Route {
  page: Page
  /** the open item, if any */
  id?: string
  mode: 'list' | 'view' | 'edit' | 'new'
}

export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(p => p !== '')
    .map(decodeURIComponent)
  if (parts[0] === 'devices') return { page: 'devices', mode: 'list' }
  if (parts[0] === 'settings') return { page: 'settings', mode: 'list' }
  if (parts[0] === 'health') return { page: 'health', mode: 'list' }
  if (parts[0] === 'new') return { page: 'items', mode: 'new' }
  if (parts[0] === 'item' && parts[1] !== undefined) return { page: 'items', id: parts[1], mode: parts[2] === 'edit' ? 'edit' : 'view' }
  return { page: 'items', mode: 'list' }
}

export function hrefOf(route: Route): string {
  if (route.page !== 'items') return `#/${route.page}`
  if (route.mode === 'new') return '#/new'
  if (route.id !== undefined) return `#/item/${encodeURIComponent(route.id)}${route.mode === 'edit' ? '/edit' : ''}`
  return '#/'
}

export function navigate(route: Route): void {
  const href = hrefOf(route)
  if (location.hash !== href) location.hash = href
}

/**
 * The current route. A change of address while the open item has unsaved changes (a click in the
 * list, a link, the back button) is held: the address goes back, the person chooses Save, Discard or
 * Cancel, and only then does the page move on.
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash))
  useEffect(() => {
    let shown = location.hash
    let asking = false
    const update = (): void => {
      const target = location.hash
      if (target === shown) return
      if (asking || !hasUnsavedEdit()) {
        if (!asking) {
          shown = target
          setRoute(parseHash(target))
        } else history.replaceState(null, '', shown || '#/')
        return
      }
      asking = true
      history.replaceState(null, '', shown || '#/')
      void confirmLeave().then(leave => {
        asking = false
        if (!leave) return
        shown = target
        history.replaceState(null, '', target)
        setRoute(parseHash(target))
      })
    }
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return route
}

/**
 * Takes a `kith open` login code out of the address (#login=CODE) and removes it from the address
 * bar and history at once, so it is never bookmarked, synced or shown again.
 */
export function takeLoginCode(): string | undefined {
  const match = /^#login=([A-Za-z0-9_-]{8,64})$/.exec(location.hash)
  if (match === null) return undefined
  history.replaceState(null, '', `${location.pathname}#/`)
  return match[1]
}
