/**
 * A peer router that finds no one. Kith has no DHT: its relays are the backup peers on the roster,
 * dialled by the sync engine. libp2p's circuit relay transport looks for more relays with libp2p's
 * random walk while it has no reservation, and with no peer router at all that walk retries in a
 * tight loop (every `getClosestPeers` throws at once), which burned a core and slowed every daemon
 * threefold. Here a walk waits, idle, until it is called off; `findPeer` fails at once.
 */
import { NotFoundError, type PeerId, type PeerInfo, type PeerRouting, type RoutingOptions } from '@libp2p/interface'

export function idlePeerRouting(): () => PeerRouting {
  return () => ({
    async findPeer(_peerId: PeerId, _options?: RoutingOptions): Promise<PeerInfo> {
      throw new NotFoundError('no peer routing: Kith dials the devices and backup peers on its roster')
    },
    async *getClosestPeers(_key: Uint8Array, options?: RoutingOptions): AsyncGenerator<PeerInfo> {
      const signal = options?.signal
      if (signal === undefined) return
      await new Promise<void>(resolve => {
        if (signal.aborted) resolve()
        else signal.addEventListener('abort', () => resolve(), { once: true })
      })
    }
  })
}
