/** The relay transport's search for relays waits instead of spinning (a walk with no router retried in a tight loop). */
import { describe, it, expect } from 'vitest'
import { idlePeerRouting } from '../../daemon/network/libp2p/idlePeerRouting.js'
import { peerIdFromString } from '@libp2p/peer-id'

describe('idlePeerRouting', () => {
  it('a closest-peers query yields nothing and ends only when called off; findPeer fails at once', async () => {
    const routing = idlePeerRouting()()
    const controller = new AbortController()
    let ended = false
    const walk = (async () => {
      const found: unknown[] = []
      for await (const p of routing.getClosestPeers(new Uint8Array(32), { signal: controller.signal })) found.push(p)
      ended = true
      return found
    })()
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(ended).toBe(false)
    controller.abort()
    expect(await walk).toEqual([])
    await expect(routing.findPeer(peerIdFromString('12D3KooWFvQfVJhrtPTx4624PoGVz2xHsn8mBAMk9xzE55WPVHGV'))).rejects.toThrow(
      /no peer routing/
    )
  })
})
