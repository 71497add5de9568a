/**
 * Two homes behind two NAT routers and a public network with a backup peer, in network namespaces
 * (issue 13; the topology of notes/relay-spike.md): `pub` holds 203.0.113.10 on the `inet` bridge;
 * `rA` and `rB` are routers (WAN 203.0.113.21/.22, LAN 192.168.1.1/192.168.2.1) that masquerade and
 * forward nothing inbound but replies, and, like a home router, drop an unsolicited packet to their
 * WAN address rather than answer it with a reset (a reset would kill the other side's half of a TCP
 * simultaneous open); `a` (192.168.1.2) and `b` (192.168.2.2) sit behind them. No
 * route joins the homes. Each router's WAN link is a veth pair into the bridge; with `delayMs` it is
 * a delayed wire instead (test/helpers/DelayLink.ts: a TAP device `wan0` in the router and one in the
 * bridge, joined by a python3 process), every frame from the router to the bridge held `delayMs`
 * (one-way delay on each home's uplink, as `tc netem` on `wan0` would add; this kernel has no netem),
 * the other way none. Where that cannot run the WAN link stays a veth without delay and
 * `delayMissing` says why. Needs root, `ip` and `nft` (and python3 for the delay); nothing here
 * touches the host's own network.
 */
import { spawn, spawnSync } from 'node:child_process'
import { DelayLink } from './DelayLink.js'

export const PUBLIC_V4 = '203.0.113.10'

function run(args: string[], input?: string): string {
  const res = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', input })
  if (res.status !== 0) throw new Error(`${args.join(' ')} failed (${String(res.status)}): ${res.stderr}`)
  return res.stdout
}

export class NatLab {
  readonly ns: { inet: string; pub: string; rA: string; rB: string; a: string; b: string }

  constructor(tag: string) {
    const n = (s: string): string => `k${tag}-${s}-${process.pid}`
    this.ns = { inet: n('inet'), pub: n('pub'), rA: n('rA'), rB: n('rB'), a: n('a'), b: n('b') }
  }

  create(delayMs = 0): void {
    const { inet, pub, rA, rB, a, b } = this.ns
    for (const ns of Object.values(this.ns)) {
      run(['ip', 'netns', 'add', ns])
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    run(['ip', '-n', inet, 'link', 'add', 'br0', 'type', 'bridge'])
    run(['ip', '-n', inet, 'addr', 'add', '203.0.113.1/24', 'dev', 'br0'])
    run(['ip', '-n', inet, 'link', 'set', 'br0', 'up'])
    const delayed = new Set<string>()
    if (delayMs > 0) {
      try {
        this.delay.start([
          { nsA: rA, devA: 'wan0', nsB: inet, devB: 'ra-br', aToBMs: delayMs, bToAMs: 0 },
          { nsA: rB, devA: 'wan0', nsB: inet, devB: 'rb-br', aToBMs: delayMs, bToAMs: 0 }
        ])
        delayed.add(rA).add(rB)
      } catch (err) {
        this.delayMissing = (err as Error).message
      }
    }
    const wan = (ns: string, name: string, addr: string): void => {
      if (!delayed.has(ns)) run(['ip', '-n', inet, 'link', 'add', `${name}-br`, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', ns])
      run(['ip', '-n', inet, 'link', 'set', `${name}-br`, 'master', 'br0'])
      run(['ip', '-n', inet, 'link', 'set', `${name}-br`, 'up'])
      run(['ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'wan0'])
      run(['ip', '-n', ns, 'link', 'set', 'wan0', 'up'])
    }
    wan(pub, 'pub', PUBLIC_V4)
    for (const [router, home, name, wanAddr, lan] of [
      [rA, a, 'ra', '203.0.113.21', '192.168.1'],
      [rB, b, 'rb', '203.0.113.22', '192.168.2']
    ] as const) {
      wan(router, name, wanAddr)
      run(['ip', '-n', router, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home])
      run(['ip', '-n', router, 'addr', 'add', `${lan}.1/24`, 'dev', 'lan0'])
      run(['ip', '-n', router, 'link', 'set', 'lan0', 'up'])
      run(['ip', '-n', home, 'addr', 'add', `${lan}.2/24`, 'dev', 'eth0'])
      run(['ip', '-n', home, 'link', 'set', 'eth0', 'up'])
      run(['ip', '-n', home, 'route', 'add', 'default', 'via', `${lan}.1`])
      run(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      run(
        ['ip', 'netns', 'exec', router, 'nft', '-f', '-'],
        `table ip nat {
  chain post { type nat hook postrouting priority 100; oifname "wan0" masquerade; }
}
table ip filter {
  chain forward_lan { type filter hook forward priority 0; policy drop;
    iifname "lan0" oifname "wan0" accept
    ct state established,related accept
  }
  chain input_wan { type filter hook input priority 0; policy accept;
    iifname "wan0" ct state new,invalid drop
  }
}
`
      )
    }
  }

  /**
   * Whether the two NATs let a TCP simultaneous open through — the hole punch DCUtR relies on: a
   * socket in each home, bound to a fixed port (which each router's masquerade keeps as its WAN port),
   * dials the other router's WAN address at the other's port, again and again for `forMs`. True when
   * both connected and exchanged a byte. With `ephemeral`, the socket in `a` dials from a port the
   * kernel picks, as libp2p's TCP dials do (its listener holds the port the other side aims at).
   */
  async simultaneousOpen(forMs = 8000, ephemeral = false): Promise<boolean> {
    const script = (localPort: number | undefined, host: string, port: number): string => `
      const net = require('node:net')
      const deadline = Date.now() + ${forMs}
      const attempt = () => {
        const s = net.connect({ host: '${host}', port: ${port}${localPort === undefined ? '' : `, localPort: ${localPort}`} })
        s.setTimeout(500)
        s.once('connect', () => { s.end('x'); s.once('data', () => process.exit(0)) })
        const retry = () => { s.destroy(); if (Date.now() > deadline) process.exit(1); setTimeout(attempt, 100) }
        s.once('error', retry)
        s.once('timeout', retry)
      }
      attempt()`
    const run = async (ns: string, code: string): Promise<number | null> =>
      await new Promise(resolve => {
        spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: 'ignore' }).once('exit', resolve)
      })
    const [a, b] = await Promise.all([
      run(this.ns.a, script(ephemeral ? undefined : 41000, '203.0.113.22', 41001)),
      run(this.ns.b, script(41001, '203.0.113.21', 41000))
    ])
    return a === 0 && b === 0
  }

  /**
   * Whether the two NATs let a UDP hole punch through — what QUIC hole punching needs: a UDP socket in
   * each home, bound to a fixed port (kept by masquerade as its WAN port), sends to the other router's
   * WAN address at the other's port every 100 ms for `forMs`; true when each received the other's
   * datagram. With `split`, each home receives on a socket bound to the port aimed at but sends from
   * another one the kernel picks, as @chainsafe/libp2p-quic dials (docs/decisions/0019).
   */
  async udpHolePunch(forMs = 8000, split = false): Promise<boolean> {
    const script = (port: number, host: string, peerPort: number): string => `
      const dgram = require('node:dgram')
      const listener = dgram.createSocket('udp4')
      const sender = ${split ? "dgram.createSocket('udp4')" : 'listener'}
      listener.once('message', () => { sender.send('x', ${peerPort}, '${host}'); setTimeout(() => process.exit(0), 300) })
      listener.bind(${port}, () => {
        const timer = setInterval(() => sender.send('x', ${peerPort}, '${host}'), 100)
        setTimeout(() => { clearInterval(timer); process.exit(1) }, ${forMs})
      })`
    const run = async (ns: string, code: string): Promise<number | null> =>
      await new Promise(resolve => {
        spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: 'ignore' }).once('exit', resolve)
      })
    const [a, b] = await Promise.all([
      run(this.ns.a, script(42000, '203.0.113.22', 42001)),
      run(this.ns.b, script(42001, '203.0.113.21', 42000))
    ])
    return a === 0 && b === 0
  }

  /** why the WAN delay could not be added (no python3 or /dev/net/tun, or the delay link failed), or '' */
  delayMissing = ''

  private readonly delay = new DelayLink()

  /** the PID of the delay link's process while the lab has one */
  get delayPid(): number | undefined {
    return this.delay.pid
  }

  destroy(): void {
    this.delay.stop()
    for (const ns of Object.values(this.ns)) spawnSync('ip', ['netns', 'delete', ns])
  }
}
