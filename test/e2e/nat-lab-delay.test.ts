/**
 * The NAT lab's WAN delay (test/helpers/natLab.ts, DelayLink.ts): this kernel has no `netem`, so
 * each home router's uplink is a delayed wire, two TAP devices joined by a python3 process. With
 * 20 ms, a TCP round trip from a home to the public host takes at least 20 ms and not much more,
 * all of it on the way up (the way down has none); through a relay on the public host to the other
 * home it takes both uplinks, about 40 ms. Without delay the lab is a plain veth and fast. The
 * process goes with the lab, and with the process that started it when that one is killed. Needs
 * root, `ip`, `nft`, python3 and /dev/net/tun: skipped loudly without them, failing under CI=true.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { netnsUnavailable } from '../helpers/netns.js'
import { NatLab, PUBLIC_V4 } from '../helpers/natLab.js'
import { delayLinkUnavailable } from '../helpers/DelayLink.js'
import { WanProbe } from '../helpers/WanProbe.js'

const inCi = process.env.CI === 'true'
const missing = netnsUnavailable() || delayLinkUnavailable()
if (missing !== '')
  console.warn(
    `\n${'!'.repeat(78)}\n!! ${missing}: the NAT lab delay test is ${inCi ? 'FAILING (CI=true)' : 'SKIPPED'}.\n!! It needs root, python3 and the Debian packages iproute2 and nftables.\n${'!'.repeat(78)}\n`
  )

describe('the NAT lab’s WAN delay', () => {
  it.runIf(inCi && missing !== '')('has what it needs under CI', () => {
    expect(missing).toBe('')
  })
})

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number
const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/\) Z/.test(spawnSync('cat', [`/proc/${pid}/stat`]).stdout.toString())

describe.skipIf(missing !== '')('a NAT lab with 20 ms on each home’s uplink', () => {
  let lab: NatLab | undefined
  const probe = new WanProbe()
  afterEach(() => {
    probe.stop()
    lab?.destroy()
  })

  it('delays each uplink by 20 ms one way, a relayed round trip by both, and nothing without delay', async () => {
    lab = new NatLab('dl')
    lab.create(20)
    expect(lab.delayMissing).toBe('')
    await probe.echoServer(lab.ns.pub, PUBLIC_V4, 7000)
    for (const home of [lab.ns.a, lab.ns.b]) {
      const r = await probe.roundTrips(home, PUBLIC_V4, 7000, 15)
      // never under the delay; the best sample close to it (the median too, on a host that is not overloaded)
      expect(Math.min(...r.rttMs)).toBeGreaterThanOrEqual(20)
      expect(Math.min(...r.rttMs)).toBeLessThan(30)
      expect(median(r.rttMs)).toBeLessThan(60)
      expect(median(r.outMs)).toBeGreaterThanOrEqual(20)
      expect(median(r.backMs)).toBeLessThan(10)
    }
    // A → relay on the public host → B and back: A's uplink one way, B's the other
    await probe.relay(lab.ns.pub, PUBLIC_V4, 7001)
    await probe.echoClient(lab.ns.b, PUBLIC_V4, 7001)
    const relayed = await probe.roundTrips(lab.ns.a, PUBLIC_V4, 7001, 15)
    expect(Math.min(...relayed.rttMs)).toBeGreaterThanOrEqual(40)
    expect(Math.min(...relayed.rttMs)).toBeLessThan(50)
    expect(median(relayed.rttMs)).toBeLessThan(100)
    expect(median(relayed.outMs)).toBeGreaterThanOrEqual(20)
    expect(median(relayed.backMs)).toBeGreaterThanOrEqual(20)
    // the homes still cannot reach each other
    await expect(probe.roundTrips(lab.ns.a, '192.168.2.2', 7000, 1)).rejects.toThrow(/ended with 1/)

    const pid = lab.delayPid as number
    expect(alive(pid)).toBe(true)
    probe.stop()
    lab.destroy()
    expect(alive(pid)).toBe(false)
    expect(spawnSync('ip', ['netns', 'list']).stdout.toString()).not.toContain(lab.ns.rA)

    lab = new NatLab('d0')
    lab.create(0)
    expect(lab.delayPid).toBeUndefined()
    await probe.echoServer(lab.ns.pub, PUBLIC_V4, 7000)
    expect(median((await probe.roundTrips(lab.ns.a, PUBLIC_V4, 7000, 15)).rttMs)).toBeLessThan(10)
  }, 60_000)

  it('the delay link ends when the process that started it is killed', async () => {
    lab = new NatLab('dk')
    // a lab made by another process, which is then killed -9 and never destroys it
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${new URL('../helpers/natLab.ts', import.meta.url).href}').then(m => {
          const lab = new m.NatLab('dk'); lab.create(20); console.log(lab.delayPid); setInterval(() => {}, 1000)
        })`
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    try {
      const pid = await new Promise<number>(resolve => child.stdout.setEncoding('utf8').once('data', d => resolve(Number(d))))
      expect(alive(pid)).toBe(true)
      child.kill('SIGKILL')
      const deadline = Date.now() + 5000
      while (alive(pid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      expect(alive(pid)).toBe(false)
    } finally {
      child.kill('SIGKILL')
      // its namespaces (named after the killed process) are left behind: remove them here
      for (const ns of Object.values(lab.ns)) spawnSync('ip', ['netns', 'delete', ns.replace(`-${process.pid}`, `-${String(child.pid)}`)])
    }
  }, 30_000)
})
