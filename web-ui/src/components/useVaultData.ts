/**
 * The vault as the page holds it: every item (live and trashed), the vaults and the devices, kept
 * current by the daemon's event stream. Changes from another device or the CLI arrive as
 * item-changed events; the page fetches just those items (or everything after a big burst).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { ItemIndex } from '../search.js'
import { rosterNote } from '../rosterNote.js'
import { AnswerOrder } from '../answerOrder.js'
import type { DaemonEvent, Device, Item, VaultInfo, WaitingDevice } from '../types.js'
import { toast } from '../toast.js'

/** more changed items than this in one burst: reload the whole list instead */
const BURST_RELOAD = 150
const BATCH_MS = 60

export type LiveState = 'connecting' | 'live' | 'offline'

export interface VaultData {
  loaded: boolean
  items: Map<string, Item>
  index: ItemIndex
  vaults: VaultInfo[]
  /** null when this daemon offers no device pairing */
  devices: Device[] | null
  /** devices that proved an invitation and wait for approval here */
  waiting: WaitingDevice[]
  live: LiveState
  upsert: (item: Item) => void
  remove: (id: string) => void
  reloadItems: () => Promise<number>
  reloadVaults: () => Promise<void>
  reloadDevices: () => Promise<void>
}

export function useVaultData(onLocked: (notice: string) => void): VaultData {
  const [items, setItems] = useState<Map<string, Item>>(() => new Map())
  const [loaded, setLoaded] = useState(false)
  const [vaults, setVaults] = useState<VaultInfo[]>([])
  const [devices, setDevices] = useState<Device[] | null>([])
  const [waiting, setWaiting] = useState<WaitingDevice[]>([])
  const [live, setLive] = useState<LiveState>('connecting')
  const pending = useRef(new Set<string>())
  const flushTimer = useRef<ReturnType<typeof setTimeout>>()

  // answers can arrive out of order: an older one never replaces what a newer one (or a save) set
  const order = useRef(new AnswerOrder())
  /** Lists every item; answers the daemon's change count when it listed them (NaN when it did not say). */
  const reloadItems = useCallback(async (): Promise<number> => {
    const started = order.current.start()
    const [live, bin] = await Promise.all([api.allItems(false), api.allItems(true)])
    const alive = live.items
    const trashed = bin.items
    setItems(m => {
      const map = new Map<string, Item>()
      for (const item of [...alive, ...trashed]) if (order.current.accept(item.id, started)) map.set(item.id, item)
      // what this page set after the list was asked for stays as it is (or stays gone)
      for (const id of order.current.setAfter(started)) {
        const kept = m.get(id)
        if (kept !== undefined) map.set(id, kept)
        else map.delete(id)
      }
      return map
    })
    setLoaded(true)
    return Math.min(live.changes, bin.changes)
  }, [])
  // the first list is asked for at once, beside the event stream rather than after its hello: the
  // hello says how many changes the daemon had announced when this page subscribed, and a list that
  // already held them all needs no second fetch (one that did not is fetched again)
  const firstList = useRef<Promise<number>>()
  useEffect(() => {
    firstList.current = reloadItems().catch(() => Number.NaN)
  }, [reloadItems])
  const reloadVaults = useCallback(async () => {
    setVaults(await api.vaults())
  }, [])
  const pairing = useRef<boolean>()
  const reloadDevices = useCallback(async () => {
    // a daemon without the network part (no peer id) has no device routes: do not ask (and 404)
    pairing.current ??= (await api.status()).peerId !== ''
    if (!pairing.current) {
      setDevices(null)
      return
    }
    try {
      const [list, waitingList] = await Promise.all([api.devices(), api.waitingDevices()])
      setDevices(list)
      setWaiting(waitingList)
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) setDevices(null)
    }
  }, [])

  const upsert = useCallback((item: Item) => {
    order.current.setNow(item.id)
    setItems(m => new Map(m).set(item.id, item))
  }, [])
  const remove = useCallback((id: string) => {
    order.current.setNow(id)
    setItems(m => {
      const n = new Map(m)
      n.delete(id)
      return n
    })
  }, [])

  const flush = useCallback(async () => {
    const ids = [...pending.current]
    pending.current.clear()
    if (ids.length > BURST_RELOAD) {
      await reloadItems()
      await reloadVaults()
      return
    }
    let changed: { items: Item[]; missing: string[] }
    const started = order.current.start()
    try {
      changed = await api.itemsById(ids)
    } catch {
      return
    }
    setItems(m => {
      const n = new Map(m)
      for (const item of changed.items) {
        if (order.current.accept(item.id, started)) n.set(item.id, item)
      }
      for (const id of changed.missing) {
        if (order.current.accept(id, started)) n.delete(id)
      }
      return n
    })
    void reloadVaults().catch(() => {})
  }, [reloadItems, reloadVaults])

  useEffect(() => {
    void Promise.all([reloadVaults(), reloadDevices()]).catch(() => {})
  }, [reloadVaults, reloadDevices])

  // the event stream, reconnecting with backoff. The items are listed once the stream is open (its
  // `hello`), so a change made between the list and the subscription is never missed; after a
  // reconnect, everything that may have been missed is listed again.
  useEffect(() => {
    const controller = new AbortController()
    let connections = 0
    const handle = (event: DaemonEvent): void => {
      switch (event.type) {
        case 'hello':
          setLive('live')
          if (connections++ === 0) {
            const subscribedAt = (event.data as { changes?: unknown } | undefined)?.changes
            void (firstList.current ?? Promise.resolve(Number.NaN)).then(listedAt => {
              if (!(typeof subscribedAt === 'number' && listedAt >= subscribedAt)) void reloadItems().catch(() => {})
            })
          } else void Promise.all([reloadItems(), reloadVaults(), reloadDevices()]).catch(() => {})
          break
        case 'item-changed':
          pending.current.add(event.data.id)
          clearTimeout(flushTimer.current)
          flushTimer.current = setTimeout(() => {
            void flush()
          }, BATCH_MS)
          break
        case 'locked': {
          controller.abort()
          const data = (event.data ?? {}) as { reason?: string; removedFromRoster?: boolean; hint?: string | null }
          const note = rosterNote(data)
          onLocked(
            data.reason === 'destroyed'
              ? `This device's vault was erased and the daemon has stopped.${note === undefined ? '' : ` ${note}`}`
              : 'The vault was locked. Unlock it to go on.'
          )
          break
        }
        case 'pairing-pending':
          toast(`${event.data.name || 'A new device'} asks to join: check its words under Devices`)
          void reloadDevices()
          break
        case 'peer-connected':
        case 'peer-disconnected':
        case 'pairing-resolved':
        case 'devices-changed':
          void reloadDevices()
          break
      }
    }
    void (async () => {
      let failures = 0
      while (!controller.signal.aborted) {
        try {
          await api.events(handle, controller.signal)
          failures = 0
          // the daemon ended the stream: if that was a lock, say so rather than retry into a 401
          const status = await api.status().catch(() => undefined)
          if (controller.signal.aborted) return
          if (status?.locked === true) {
            onLocked('The vault was locked. Unlock it to go on.')
            return
          }
        } catch (err) {
          if (controller.signal.aborted) return
          if (err instanceof ApiError && err.status === 401) return
          // no stream yet: still show the items, and list them again once it opens
          if (connections === 0 && failures === 0) void reloadItems().catch(() => {})
          failures++
        }
        if (controller.signal.aborted) return
        setLive('offline')
        await new Promise(resolve => setTimeout(resolve, Math.min(500 * 2 ** failures, 10_000)))
      }
    })()
    return () => {
      controller.abort()
      clearTimeout(flushTimer.current)
    }
  }, [flush, onLocked, reloadItems, reloadVaults, reloadDevices])

  const index = useMemo(() => new ItemIndex(items.values()), [items])
  return { loaded, items, index, vaults, devices, waiting, live, upsert, remove, reloadItems, reloadVaults, reloadDevices }
}
