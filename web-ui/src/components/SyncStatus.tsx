/** The sync indicator: whether the live stream is up, and how many of the other devices are online. */
import type { Device } from '../types.js'
import type { LiveState } from './useVaultData.js'
import { navigate } from '../router.js'

export function SyncStatus({ live, devices }: { live: LiveState; devices: Device[] | null }) {
  const others = devices?.filter(d => !d.self) ?? []
  const online = others.filter(d => d.online).length
  let text: string
  let state: string
  if (live !== 'live') {
    text = live === 'connecting' ? 'Connecting…' : 'Daemon unreachable'
    state = 'offline'
  } else if (others.length === 0) {
    text = 'This device only'
    state = 'solo'
  } else if (online === 0) {
    text = `0 of ${others.length} device${others.length === 1 ? '' : 's'} online`
    state = 'waiting'
  } else {
    text = `Syncing with ${online} device${online === 1 ? '' : 's'}`
    state = 'synced'
  }
  return (
    <button
      type="button"
      class={`sync-status ${state}`}
      data-testid="sync-status"
      data-online={online}
      title="Devices"
      onClick={() => navigate({ page: 'devices', mode: 'list' })}
    >
      <span class="dot" aria-hidden="true" />
      <span class="label">{text}</span>
    </button>
  )
}
