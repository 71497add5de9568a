/** The behaviour every NetworkAdapter must have; the memory and libp2p tests both run this suite. */
import { describe, it, expect, afterEach } from 'vitest'
import type { FrameStream, NetworkAdapter } from '../../daemon/network/NetworkAdapter.js'

export interface NetworkFixture {
  /** two started adapters whose gates admit each other */
  a: NetworkAdapter
  b: NetworkAdapter
  teardown: () => Promise<void>
}

const OPTS = { maxFrameBytes: 4096, maxBufferBytes: 64 * 1024 }
const P = '/kith/test/1.0.0'

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

function accepted(net: NetworkAdapter, options = OPTS): Promise<FrameStream> {
  return new Promise(resolve => {
    void net.handle(P, resolve, options)
  })
}

export function runNetworkContract(name: string, setup: () => Promise<NetworkFixture>): void {
  describe(`NetworkAdapter contract: ${name}`, () => {
    let fx: NetworkFixture | undefined
    afterEach(async () => {
      await fx?.teardown()
      fx = undefined
    })

    it('carries whole frames in order both ways, naming the authenticated device', async () => {
      fx = await setup()
      const { a, b } = fx
      const inbound = accepted(b)
      const out = await a.openStream(b.deviceId, b.multiaddrs(), P, OPTS)
      const inn = await inbound
      expect(out.remote).toBe(b.deviceId)
      expect(inn.remote).toBe(a.deviceId)
      const frames = Array.from({ length: 50 }, (_, i) => Uint8Array.from({ length: 1 + ((i * 37) % 4000) }, (_, j) => (i + j) % 256))
      for (const f of frames) await out.write(f)
      for (const f of frames) expect(Array.from((await inn.read()) as Uint8Array)).toEqual(Array.from(f))
      await inn.write(Uint8Array.of(7, 8, 9))
      expect(Array.from((await out.read()) as Uint8Array)).toEqual([7, 8, 9])
      await out.close()
      expect(await inn.read()).toBeUndefined()
      expect(a.isConnected(b.deviceId)).toBe(true)
      expect(b.connectedDevices()).toContain(a.deviceId)
    })

    it('resets the stream on a frame over the size limit', async () => {
      fx = await setup()
      const { a, b } = fx
      const inbound = accepted(b)
      const out = await a.openStream(b.deviceId, b.multiaddrs(), P, OPTS)
      const inn = await inbound
      await out.write(new Uint8Array(OPTS.maxFrameBytes + 1))
      const err = await inn.read().then(
        () => undefined,
        (e: Error) => e
      )
      expect(err?.name).toBe('FrameLimitError')
    })

    it('resets the stream when the sender overruns the receive buffer', async () => {
      fx = await setup()
      const { a, b } = fx
      const small = { maxFrameBytes: 4096, maxBufferBytes: 8192 }
      const inbound = accepted(b, small)
      const out = await a.openStream(b.deviceId, b.multiaddrs(), P, small)
      const inn = await inbound
      const writes = (async () => {
        for (let i = 0; i < 40; i++) await out.write(new Uint8Array(4000))
      })().catch(() => {})
      await new Promise(resolve => setTimeout(resolve, 200))
      let failed: Error | undefined
      for (let i = 0; i < 40 && failed === undefined; i++) {
        try {
          if ((await inn.read()) === undefined) break
        } catch (e) {
          failed = e as Error
        }
      }
      await writes
      expect(failed).toBeDefined()
    })

    it('the gate refuses devices that are not admitted, both ways', async () => {
      fx = await setup()
      const { a, b } = fx
      void accepted(b)
      b.setGate(() => false)
      await expect(a.openStream(b.deviceId, b.multiaddrs(), P, OPTS)).rejects.toMatchObject({ name: 'DialFailedError' })
      b.setGate(() => true)
      a.setGate(() => false)
      await expect(a.openStream(b.deviceId, b.multiaddrs(), P, OPTS)).rejects.toMatchObject({ name: 'DialFailedError' })
    })

    it('reports connections and disconnects', async () => {
      fx = await setup()
      const { a, b } = fx
      const seen: string[] = []
      b.on('peer-connected', id => seen.push(`+${id}`))
      b.on('peer-disconnected', id => seen.push(`-${id}`))
      void accepted(b)
      await a.openStream(b.deviceId, b.multiaddrs(), P, OPTS)
      await until(() => seen.includes(`+${a.deviceId}`))
      await a.disconnect(b.deviceId)
      await until(() => seen.includes(`-${a.deviceId}`))
      expect(a.isConnected(b.deviceId)).toBe(false)
      expect(a.peerIdOf(b.deviceId)).toBe(b.peerId)
      expect(a.deviceIdOf(b.peerId)).toBe(b.deviceId)
    })
  })
}
