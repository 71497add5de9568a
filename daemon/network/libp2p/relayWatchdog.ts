/**
 * Keeps a device's relay reservation coming back. libp2p's relay transport asks a relay for a
 * reservation once, when identify first shows that the peer speaks the hop protocol; if that one
 * attempt is refused — typically because the backup peer had not yet received the roster that
 * admits this device — it is not asked again until a new connection, and Kith runs no peer router
 * that would find it again. So while this device has no relayed address but is connected to a peer
 * that relays, the watchdog closes that connection and dials it again, at most once per interval:
 * the new connection's identify makes the transport ask once more.
 */
import type { Libp2p } from 'libp2p'
import type { PeerId } from '@libp2p/interface'

export const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

export interface RelayWatchdogOptions {
  /** how often to look, and the least time between two redials @default 10 s */
  intervalMs?: number
  log?: (message: string) => void
  /** whether a peer is one this device may hold a reservation on (its roster's backup peers) @default every relay */
  isOwnRelay?: (peer: PeerId) => boolean
}

/** Starts the watchdog; returns its stop function. */
export function watchRelayReservation(node: Libp2p, options: RelayWatchdogOptions = {}): () => void {
  const interval = options.intervalMs ?? 10_000
  let busy = false
  const check = async (): Promise<void> => {
    if (busy || node.status !== 'started') return
    if (node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) return
    busy = true
    try {
      for (const peer of node.getPeers()) {
        if (options.isOwnRelay?.(peer) === false) continue
        const known = await node.peerStore.get(peer).catch(() => undefined)
        if (known?.protocols.includes(RELAY_HOP_PROTOCOL) !== true) continue
        // a connection that is itself relayed cannot carry a reservation
        const conns = node.getConnections(peer)
        if (conns.length === 0 || conns.every(c => c.remoteAddr.toString().includes('/p2p-circuit'))) continue
        options.log?.(`network: no relay reservation yet; reconnecting to relay ${peer.toString().slice(0, 16)}… to ask again`)
        await node.hangUp(peer)
        await node.dial(peer).catch(() => undefined)
        return
      }
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => {
    check().catch(() => undefined)
  }, interval)
  timer.unref()
  return () => clearInterval(timer)
}
