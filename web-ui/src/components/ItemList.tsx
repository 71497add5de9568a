/**
 * The item list, virtualised: only the rows in view (plus a few) are in the DOM, so 10,000 items
 * scroll and filter as fast as 10. A listbox for assistive technology and the keyboard
 * (arrows, Home/End, PageUp/PageDown, Enter).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Item } from '../types.js'
import { hostOf, hueClass } from '../format.js'
import { Icon } from './Icon.js'
import { expiryOf, TYPE_LABELS, typedSummary } from '../itemTypes.js'
import { lazyComponent } from './lazyComponent.js'

const EmptyTrash = lazyComponent(async () => (await import('./TrashSettings.js')).EmptyTrash)

export const ROW_HEIGHT = 56
const OVERSCAN = 6

interface ItemListProps {
  items: Item[]
  selectedId?: string
  loaded: boolean
  query: string
  section: string
  onOpen: (id: string) => void
}

export function ItemList({ items, selectedId, loaded, query, section, onOpen }: ItemListProps) {
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(800)
  const [active, setActive] = useState(0)
  const frame = useRef(0)

  useLayoutEffect(() => {
    const el = ref.current
    if (el === null) return
    setHeight(el.clientHeight || 800)
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || 800))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])

  // a new search or section starts at the top
  useEffect(() => {
    setActive(0)
    if (ref.current !== null) ref.current.scrollTop = 0
    setScrollTop(0)
  }, [query, section])

  const onScroll = (): void => {
    cancelAnimationFrame(frame.current)
    frame.current = requestAnimationFrame(() => setScrollTop(ref.current?.scrollTop ?? 0))
  }

  const reveal = (index: number): void => {
    const el = ref.current
    if (el === null) return
    const top = index * ROW_HEIGHT
    if (top < el.scrollTop) el.scrollTop = top
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight
  }

  const onKeyDown = (e: KeyboardEvent): void => {
    if (items.length === 0) return
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1)
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: items.length - 1
    }
    const next = moves[e.key]
    if (next !== undefined) {
      e.preventDefault()
      const clamped = Math.max(0, Math.min(items.length - 1, next))
      setActive(clamped)
      reveal(clamped)
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      const item = items[Math.min(active, items.length - 1)]
      if (item !== undefined) onOpen(item.id)
    }
  }

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN)
  const activeItem = items[Math.min(active, items.length - 1)]
  const rows = []
  for (let i = first; i < last; i++) {
    const item = items[i] as Item
    const expiry = expiryOf(item)
    rows.push(
      <div
        key={item.id}
        id={`row-${item.id}`}
        role="option"
        aria-selected={item.id === selectedId}
        data-testid="item-row"
        class={`item-row${item.id === selectedId ? ' selected' : ''}${item === activeItem ? ' active' : ''}`}
        style={{ transform: `translateY(${i * ROW_HEIGHT}px)` }}
        onClick={() => {
          setActive(i)
          onOpen(item.id)
        }}
      >
        <span class={`avatar ${hueClass(item.title)}`} aria-hidden="true">
          {(item.title.trim()[0] ?? '?').toUpperCase()}
        </span>
        <span class="row-text">
          <span class="row-title">{item.title}</span>
          <span class="row-sub">
            {item.type !== 'login' && <span class={`row-type type-${item.type}`}>{TYPE_LABELS[item.type]}</span>}
            {typedSummary(item) || (item.username !== '' ? item.username : item.urls[0] !== undefined ? hostOf(item.urls[0]) : item.vault)}
          </span>
        </span>
        {expiry !== undefined && (
          <span class={`badge ${expiry === 'expired' ? 'warn' : 'soon'}`} data-testid="expiry-badge">
            {expiry === 'expired' ? 'Expired' : 'Expires soon'}
          </span>
        )}
        {item.favorite && (
          <span class="row-star">
            <Icon name="star" label="Favourite" />
          </span>
        )}
      </div>
    )
  }

  const empty = !loaded
    ? 'Loading…'
    : query !== ''
      ? `Nothing matches “${query}”.`
      : section === 'trash'
        ? 'The trash is empty.'
        : section === 'favorites'
          ? 'No favourites yet: star an item to pin it here.'
          : 'No items here yet.'
  return (
    <div class="item-list-wrap">
      <div class="list-meta" aria-live="polite">
        {loaded ? `${items.length.toLocaleString()} item${items.length === 1 ? '' : 's'}` : ''}
        {section === 'trash' && items.length > 0 && <EmptyTrash count={items.length} />}
      </div>
      <div
        id="item-list"
        ref={ref}
        class="item-list"
        role="listbox"
        aria-label="Items"
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        aria-activedescendant={activeItem !== undefined ? `row-${activeItem.id}` : undefined}
      >
        {items.length === 0 ? (
          <p class="list-empty">{empty}</p>
        ) : (
          <div class="list-spacer" style={{ height: `${items.length * ROW_HEIGHT}px` }}>
            {rows}
          </div>
        )}
      </div>
    </div>
  )
}
