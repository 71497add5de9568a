/** Sections: all items, favourites, folders, tags, trash; then password health, devices and settings. */
import type { Page } from '../router.js'
import { navigate } from '../router.js'
import { Icon, type IconName } from './Icon.js'
import type { Item } from '../types.js'
import { TYPE_LABELS } from '../itemTypes.js'

const TYPE_ORDER = Object.keys(TYPE_LABELS) as Array<Item['type']>

interface SidebarProps {
  page: Page
  section: string
  counts: { all: number; favorites: number; trash: number }
  folders: string[]
  tags: string[]
  /** item types in use; a "Types" list appears when there is more than one */
  types: Array<Item['type']>
  /** live items expired or expiring within 30 days */
  expiring: number
  onSection: (section: string) => void
}

export function Sidebar({ page, section, counts, folders, tags, types, expiring, onSection }: SidebarProps) {
  const entry = (id: string, icon: IconName, label: string, count?: number) => (
    <li key={id}>
      <button
        type="button"
        class="nav-item"
        aria-current={page === 'items' && section === id ? 'page' : undefined}
        data-testid={`nav-${id.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`}
        onClick={() => onSection(id)}
      >
        <Icon name={icon} />
        <span class="nav-label">{label}</span>
        {count !== undefined && <span class="count">{count}</span>}
      </button>
    </li>
  )
  return (
    <nav class="sidebar" aria-label="Sections">
      <ul>
        {entry('all', 'items', 'All items', counts.all)}
        {entry('favorites', 'star', 'Favourites', counts.favorites)}
        {expiring > 0 && entry('expiring', 'clock', 'Expiring', expiring)}
      </ul>
      {types.length > 1 && (
        <>
          <h2 class="nav-heading">Types</h2>
          <ul>{TYPE_ORDER.filter(t => types.includes(t)).map(t => entry(`type:${t}`, 'items', TYPE_LABELS[t]))}</ul>
        </>
      )}
      {folders.length > 0 && (
        <>
          <h2 class="nav-heading">Folders</h2>
          <ul>{folders.map(f => entry(`folder:${f}`, 'folder', f))}</ul>
        </>
      )}
      {tags.length > 0 && (
        <>
          <h2 class="nav-heading">Tags</h2>
          <ul>{tags.map(t => entry(`tag:${t}`, 'tag', t === '' ? '(unnamed tag)' : t))}</ul>
        </>
      )}
      <ul>{entry('trash', 'trash', 'Trash', counts.trash)}</ul>
      <ul class="nav-bottom">
        <li>
          <button
            type="button"
            class="nav-item"
            data-testid="nav-health"
            aria-current={page === 'health' ? 'page' : undefined}
            onClick={() => navigate({ page: 'health', mode: 'list' })}
          >
            <Icon name="shield" />
            <span class="nav-label">Password health</span>
          </button>
        </li>
        <li>
          <button
            type="button"
            class="nav-item"
            data-testid="nav-devices"
            aria-current={page === 'devices' ? 'page' : undefined}
            onClick={() => navigate({ page: 'devices', mode: 'list' })}
          >
            <Icon name="devices" />
            <span class="nav-label">Devices</span>
          </button>
        </li>
        <li>
          <button
            type="button"
            class="nav-item"
            data-testid="nav-settings"
            aria-current={page === 'settings' ? 'page' : undefined}
            onClick={() => navigate({ page: 'settings', mode: 'list' })}
          >
            <Icon name="settings" />
            <span class="nav-label">Settings</span>
          </button>
        </li>
      </ul>
    </nav>
  )
}
