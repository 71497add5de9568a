/**
 * The unlocked dashboard: header (vault switcher, search, sync status, new item, lock), the
 * section sidebar, and the page (items with their detail pane, devices, or settings).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../api.js'
import { navigate, useRoute } from '../router.js'
import { confirmLeave, guardUnload } from '../unsavedChanges.js'
import { LeaveDialog } from './LeaveDialog.js'
import { lazyComponent } from './lazyComponent.js'

/** Settings (import, export, migrate, unlock methods, erase) is a chunk of its own: the first screen never needs it. */
const Settings = lazyComponent(async () => (await import('./Settings.js')).Settings)
/** Password health, a chunk of its own like Settings. */
const Health = lazyComponent(async () => (await import('./Health.js')).Health)
import { messageOf, toast } from '../toast.js'
import { useVaultData } from './useVaultData.js'
import { Icon } from './Icon.js'
import { Logo } from './Logo.js'
import { ItemList } from './ItemList.js'
import { ItemDetail } from './ItemDetail.js'
import { Devices } from './Devices.js'
import { SyncStatus } from './SyncStatus.js'
import { Sidebar } from './Sidebar.js'

const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))

export function Shell({ onLocked }: { onLocked: (notice: string) => void }) {
  const data = useVaultData(onLocked)
  const route = useRoute()
  const [vault, setVault] = useState('')
  const [section, setSection] = useState('all')
  const [query, setQuery] = useState('')
  const searchRef = useRef<HTMLInputElement>(null)

  const visible = useMemo(() => data.index.filter({ vault, section, query }), [data.index, vault, section, query])
  const facets = useMemo(() => data.index.facets(vault), [data.index, vault])
  const counts = useMemo(() => {
    let all = 0
    let favorites = 0
    let trash = 0
    for (const item of data.items.values()) {
      if (vault !== '' && item.vault !== vault) continue
      if (item.trashed) trash++
      else {
        all++
        if (item.favorite) favorites++
      }
    }
    return { all, favorites, trash }
  }, [data.items, vault])

  const mounted = useRef(true)
  useEffect(
    () => () => {
      mounted.current = false
    },
    []
  )
  useEffect(() => guardUnload(), [])
  const lock = useCallback(async () => {
    // an unsaved edit is asked about first: locking drops it from the page
    if (!(await confirmLeave())) return
    try {
      await api.lock()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
    // usually the event stream's 'locked' got here first and this page is gone already
    if (mounted.current) onLocked("Locked. Your items have left this page and the daemon's memory.")
  }, [onLocked])

  // keyboard: / or Ctrl+K focuses search, n starts a new item, Escape leaves search. A layout effect, so the
  // keys work from the moment the screen is there (a plain effect waited for the next frame: "/" right after unlock was lost)
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.key === 'k' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !isTyping(e.target))) {
        e.preventDefault()
        if (route.page !== 'items') navigate({ page: 'items', mode: 'list' })
        searchRef.current?.focus()
        searchRef.current?.select()
      } else if (e.key === 'n' && !isTyping(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault()
        navigate({ page: 'items', mode: 'new' })
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [route.page])

  const chooseSection = (s: string): void => {
    setSection(s)
    navigate({ page: 'items', mode: 'list' })
  }

  const selected = route.id !== undefined ? data.items.get(route.id) : undefined
  const detailOpen = route.page === 'items' && route.mode !== 'list'
  let detail: preact.JSX.Element | undefined
  const saved = (item: import('../types.js').Item): void => {
    data.upsert(item)
    navigate({ page: 'items', id: item.id, mode: 'view' })
  }
  if (route.mode === 'new') {
    detail = (
      <ItemDetail
        key="new"
        vaults={data.vaults}
        defaultVault={vault}
        folders={facets.folders}
        onSaved={saved}
        onRemoved={data.remove}
        onCancel={() => navigate({ page: 'items', mode: 'list' })}
      />
    )
  } else if (selected !== undefined) {
    detail = (
      <ItemDetail
        key={selected.id}
        item={selected}
        vaults={data.vaults}
        defaultVault={selected.vault}
        folders={facets.folders}
        focusTitle={route.mode === 'edit'}
        onSaved={data.upsert}
        onRemoved={id => {
          data.remove(id)
          navigate({ page: 'items', mode: 'list' })
        }}
        onCancel={() => navigate({ page: 'items', mode: 'list' })}
      />
    )
  } else if (route.id !== undefined && data.loaded) {
    detail = (
      <div class="empty">
        <p>This item no longer exists.</p>
      </div>
    )
  } else {
    detail = (
      <div class="empty">
        <Icon name="key" />
        <p>{counts.all === 0 && data.loaded ? 'No items yet. Add your first login with New item.' : 'Choose an item to see it here.'}</p>
      </div>
    )
  }

  return (
    <div class={`shell page-${route.page}${detailOpen ? ' detail-open' : ''}`}>
      <header class="topbar">
        <Logo small />
        <label class="vault-switch">
          <span class="visually-hidden">Vault</span>
          <select value={vault} onChange={e => setVault(e.currentTarget.value)} data-testid="vault-switch">
            <option value="">All vaults</option>
            {data.vaults.map(v => (
              <option key={v.id} value={v.name}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <div class="search" role="search">
          <Icon name="search" />
          <label for="search-input" class="visually-hidden">
            Search items
          </label>
          <input
            id="search-input"
            ref={searchRef}
            type="search"
            data-testid="search"
            placeholder="Search  ( / )"
            value={query}
            autoComplete="off"
            spellcheck={false}
            onInput={e => {
              setQuery(e.currentTarget.value)
              if (route.page !== 'items') navigate({ page: 'items', mode: 'list' })
            }}
            onKeyDown={e => {
              if (e.key === 'Escape') {
                setQuery('')
                e.currentTarget.blur()
              }
              if (e.key === 'ArrowDown' || e.key === 'Enter') {
                e.preventDefault()
                const list = document.getElementById('item-list')
                list?.focus()
                if (e.key === 'Enter' && visible[0] !== undefined) navigate({ page: 'items', id: visible[0].id, mode: 'view' })
              }
            }}
          />
        </div>
        <SyncStatus live={data.live} devices={data.devices} />
        <button
          type="button"
          class="button primary"
          data-testid="new-item"
          onClick={() => navigate({ page: 'items', mode: 'new' })}
          title="New item (n)"
        >
          <Icon name="plus" />
          <span class="label">New item</span>
        </button>
        <button
          type="button"
          class="button"
          data-testid="lock"
          onClick={() => {
            void lock()
          }}
          title="Lock the vault"
        >
          <Icon name="lock" />
          <span class="label">Lock</span>
        </button>
      </header>
      <Sidebar
        page={route.page}
        section={section}
        counts={counts}
        folders={facets.folders}
        tags={facets.tags}
        types={facets.types}
        expiring={facets.expiring}
        onSection={chooseSection}
      />
      {route.page === 'items' && (
        <>
          <section class="list-pane" aria-label="Items">
            <ItemList
              items={visible}
              selectedId={route.id}
              loaded={data.loaded}
              query={query}
              section={section}
              onOpen={id => navigate({ page: 'items', id, mode: 'view' })}
            />
          </section>
          <section class="detail-pane" aria-label="Item">
            {detailOpen && (
              <button type="button" class="back-button" onClick={() => navigate({ page: 'items', mode: 'list' })}>
                <Icon name="back" /> Back to the list
              </button>
            )}
            {detail}
          </section>
        </>
      )}
      {route.page === 'devices' && <Devices devices={data.devices} waiting={data.waiting} reload={data.reloadDevices} />}
      {route.page === 'health' && <Health />}
      {route.page === 'settings' && <Settings vaults={data.vaults} reloadVaults={data.reloadVaults} reloadItems={data.reloadItems} />}
      <LeaveDialog />
    </div>
  )
}
