/**
 * No calls home, proven (issue 14): a real daemon, started as a login service starts it (`kith
 * daemon --home H`, default listen addresses, mDNS ON), runs in a network namespace whose only link
 * is a veth pair to a capture namespace, with default routes pointing there: any attempt to reach
 * the Internet, a DNS server or a LAN service leaves as a packet. nftables counts every IP packet
 * that namespace sends while the daemon goes through init, use (add and list items), pairing with
 * a second daemon in the capture namespace and syncing to it, lock and unlock, and a quiet spell.
 * Only mDNS on the LAN, traffic to its own peer, and the kernel's own link traffic (IGMP/MLD
 * membership for mDNS, neighbour discovery) may appear; nothing else, not one DNS query.
 *
 * The quiet spell lasts KITH_NO_CALLS_HOME_SECONDS (default 20 s; the whole test stays under a
 * minute); run it for minutes with e.g. KITH_NO_CALLS_HOME_SECONDS=300. Needs root, `ip` and `nft`:
 * skipped loudly without them, a failure when CI=true.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NamespacePair, NamespacedDaemon, netnsUnavailable, CAPTURE_V4 } from '../helpers/netns.js'
import { TEST_ENV } from '../helpers/daemonProcess.js'
import { JOIN_PASSWORD, PASSWORD, itemOn, pairByApi, until } from '../sync/helpers/daemons.js'

const inCi = process.env.CI === 'true'
const missing = netnsUnavailable()
if (missing !== '')
  console.warn(
    `\n${'!'.repeat(78)}\n!! ${missing}: the no-calls-home test is ${inCi ? 'FAILING (CI=true)' : 'SKIPPED'}.\n!! It needs root and the Debian packages iproute2 and nftables.\n${'!'.repeat(78)}\n`
  )

const QUIET_SECONDS = Number(process.env.KITH_NO_CALLS_HOME_SECONDS ?? 20)
const { KITH_MDNS: _mdnsOff, ...ENV_WITH_MDNS } = TEST_ENV

describe.skipIf(missing !== '')('a daemon with mDNS on, watched from its own network namespace', () => {
  const pair = new NamespacePair('nch')
  let dir: string
  let a: NamespacedDaemon
  let peer: NamespacedDaemon

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-no-calls-home-'))
    pair.destroy() // a namespace left by an earlier run of this pid
    pair.create()
    // the peer: a second daemon on the capture side, no mDNS, nothing but its listen port open
    peer = new NamespacedDaemon(join(dir, 'peer'), pair.capture, ['--no-mdns', '--listen', `/ip4/${CAPTURE_V4}/tcp/0`], TEST_ENV)
    const peerInfo = await peer.start()
    const peerPort = Number(/\/tcp\/(\d+)/.exec(peerInfo.multiaddrs.find(m => m.includes(CAPTURE_V4)) ?? '')?.[1])
    expect(peerPort).toBeGreaterThan(0)
    pair.countOutput(peerPort)
  }, 60_000)

  afterAll(async () => {
    await a?.destroy().catch(() => {})
    await peer?.destroy().catch(() => {})
    pair.destroy()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('the counters see what leaves: a DNS query and a connection attempt to the Internet are counted', () => {
    pair.nodeInside(
      `const s = require('node:dgram').createSocket('udp4'); s.send('x', 53, '192.0.2.53', () => s.send('y', 443, '192.0.2.1', () => s.close()))`
    )
    const { packets, otherDestinations } = pair.counts()
    expect(packets.dns).toBe(1)
    expect(packets.other).toBe(1)
    expect(otherDestinations).toEqual(['192.0.2.1'])
    pair.resetCounts()
    expect(pair.counts().packets.other).toBe(0)
  })

  it(
    'sends nothing but mDNS and traffic to its own peer through init, use, pairing, sync, lock and unlock',
    async () => {
      a = new NamespacedDaemon(join(dir, 'a'), pair.inside, [], ENV_WITH_MDNS)
      await a.start()
      expect(a.output).toContain('mDNS on')

      const init = await a.kith(['init', '--password-stdin'], `${PASSWORD}\n`)
      expect(init.code, init.stderr).toBe(0)
      const added = await a.kith(['add', '--title', 'Bank', '--username', 'ada', '--password-stdin'], 'pw-bank-1\n')
      expect(added.code, added.stderr).toBe(0)
      const list = await a.kith(['list', '--json'])
      expect(JSON.parse(list.stdout)).toHaveLength(1)

      await pairByApi(a, peer, JOIN_PASSWORD)
      const second = await a.kith(['add', '--title', 'Mail', '--password-stdin'], 'pw-mail-2\n')
      expect(second.code, second.stderr).toBe(0)
      const id = second.stdout.trim()
      await until(async () => (await itemOn(peer, id)) !== undefined, 'the item to reach the peer', 20_000)

      const lock = await a.kith(['lock'])
      expect(lock.code, lock.stderr).toBe(0)
      const unlock = await a.kith(['unlock', '--password-stdin'], `${PASSWORD}\n`)
      expect(unlock.code, unlock.stderr).toBe(0)
      expect(JSON.parse((await a.kith(['list', '--json'])).stdout)).toHaveLength(2)

      // quiet: mDNS queries, sync and any timer that would phone home get their chance
      await new Promise(resolve => setTimeout(resolve, QUIET_SECONDS * 1000))
      expect(await a.stop()).toBe(0)

      const { packets, otherDestinations } = pair.counts()
      process.stderr.write(
        `\nno-calls-home: ${QUIET_SECONDS} s quiet; packets sent from the daemon's namespace: ${JSON.stringify(packets)}\n`
      )
      expect({ dns: packets.dns, other: packets.other, otherDestinations }).toEqual({ dns: 0, other: 0, otherDestinations: [] })
      // the daemon was really on the network: it announced itself and talked to its peer
      expect(packets.mdns).toBeGreaterThan(0)
      expect(packets.peer).toBeGreaterThan(0)
    },
    (60 + QUIET_SECONDS) * 1000
  )
})

describe('no calls home: required tools', () => {
  it.runIf(missing !== '' && inCi)('root, ip and nft are available (required when CI=true)', () => {
    expect(missing).toBe('')
  })
})
