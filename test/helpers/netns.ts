/**
 * Two network namespaces joined by one veth pair and nothing else, for tests that watch what a
 * daemon sends: `inside` (10.77.0.1, fd77::1; default routes point at the other end, so any
 * connection attempt leaves as a packet that can be counted) and `capture` (10.77.0.2, fd77::2), a
 * dead end with no route anywhere. An nftables table in `inside` counts every IP packet it sends by
 * kind. Needs root, `ip` (iproute2) and `nft` (nftables). Nothing here touches the host's network.
 */
import { spawn, spawnSync } from 'node:child_process'
import { DAEMON_NODE_FLAGS, daemonEnv } from '../../daemon/installRoot.js'
import { httpRequest, readDaemonInfo, type DaemonInfo } from '../../daemon/cli/DaemonClient.js'
import { KITH_BIN, TestDaemon } from './daemonProcess.js'

export const INSIDE_V4 = '10.77.0.1'
export const CAPTURE_V4 = '10.77.0.2'
export const INSIDE_V6 = 'fd77::1'
export const CAPTURE_V6 = 'fd77::2'

/** What is missing to run namespace tests here ('' when nothing). */
export function netnsUnavailable(): string {
  if (process.platform !== 'linux') return 'not Linux'
  if (process.getuid?.() !== 0) return 'not root'
  for (const tool of ['ip', 'nft']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found`
  return ''
}

function run(args: string[], input?: string): string {
  const res = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', input })
  if (res.status !== 0) throw new Error(`${args.join(' ')} failed (${String(res.status)}): ${res.stderr}`)
  return res.stdout
}

/** The kinds of packet the table counts, in the order its rules test them (the first match counts). */
export const PACKET_KINDS = ['dns', 'loopback', 'mdns', 'link', 'peer', 'other'] as const
export type PacketKind = (typeof PACKET_KINDS)[number]

export class NamespacePair {
  readonly inside: string
  readonly capture: string

  constructor(tag: string) {
    this.inside = `kith-${tag}-in-${process.pid}`
    this.capture = `kith-${tag}-cap-${process.pid}`
  }

  create(): void {
    const [i, c] = [this.inside, this.capture]
    run(['ip', 'netns', 'add', i])
    run(['ip', 'netns', 'add', c])
    run(['ip', '-n', i, 'link', 'add', 'veth-in', 'type', 'veth', 'peer', 'name', 'veth-cap', 'netns', c])
    for (const [ns, dev, v4, v6] of [
      [i, 'veth-in', INSIDE_V4, INSIDE_V6],
      [c, 'veth-cap', CAPTURE_V4, CAPTURE_V6]
    ] as const) {
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      run(['ip', '-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev])
      run(['ip', '-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad'])
      run(['ip', '-n', ns, 'link', 'set', dev, 'up'])
    }
    run(['ip', '-n', i, 'route', 'add', 'default', 'via', CAPTURE_V4])
    run(['ip', '-n', i, '-6', 'route', 'add', 'default', 'via', CAPTURE_V6])
  }

  /**
   * The counting table in `inside`: DNS to anyone; loopback; mDNS (224.0.0.251 / ff02::fb port
   * 5353); the kernel's own link traffic (IGMP and MLD membership reports, IPv6 neighbour and router
   * discovery to link-scope addresses or the other end); the peer (TCP to `peerPort` on
   * the capture side, or replies in connections the capture side opened); everything else, whose
   * destinations are kept in two sets.
   */
  countOutput(peerPort: number): void {
    run(
      ['ip', 'netns', 'exec', this.inside, 'nft', '-f', '-'],
      `table inet kith_probe {
  ${PACKET_KINDS.map(k => `counter ${k} {}`).join('\n  ')}
  set other4 { type ipv4_addr; flags dynamic; size 4096; }
  set other6 { type ipv6_addr; flags dynamic; size 4096; }
  chain output {
    type filter hook output priority 0; policy accept;
    meta l4proto { tcp, udp } th dport { 53, 853 } counter name dns accept
    oifname "lo" counter name loopback accept
    ip daddr 224.0.0.251 udp dport 5353 counter name mdns accept
    ip6 daddr ff02::fb udp dport 5353 counter name mdns accept
    ip daddr 224.0.0.0/24 ip protocol igmp counter name link accept
    ip6 daddr { fe80::/10, ff02::/16, ${CAPTURE_V6} } icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report } counter name link accept
    ip daddr ${CAPTURE_V4} tcp dport ${peerPort} counter name peer accept
    ip daddr ${CAPTURE_V4} ct direction reply counter name peer accept
    meta nfproto ipv4 add @other4 { ip daddr } counter name other accept
    meta nfproto ipv6 add @other6 { ip6 daddr } counter name other accept
    counter name other
  }
}
`
    )
  }

  /** Zeroes the counters and forgets the recorded destinations. */
  resetCounts(): void {
    run(['ip', 'netns', 'exec', this.inside, 'nft', 'reset', 'counters', 'table', 'inet', 'kith_probe'])
    run(['ip', 'netns', 'exec', this.inside, 'nft', 'flush', 'set', 'inet', 'kith_probe', 'other4'])
    run(['ip', 'netns', 'exec', this.inside, 'nft', 'flush', 'set', 'inet', 'kith_probe', 'other6'])
  }

  /** Packets per kind so far, and the destinations of the "other" ones. */
  counts(): { packets: Record<PacketKind, number>; otherDestinations: string[] } {
    const json = (args: string[]) =>
      (JSON.parse(run(['ip', 'netns', 'exec', this.inside, 'nft', '-j', ...args])) as { nftables: Record<string, unknown>[] }).nftables
    const packets = Object.fromEntries(PACKET_KINDS.map(k => [k, 0])) as Record<PacketKind, number>
    for (const entry of json(['list', 'counters', 'table', 'inet', 'kith_probe'])) {
      const counter = entry.counter as { name: PacketKind; packets: number } | undefined
      if (counter !== undefined) packets[counter.name] = counter.packets
    }
    const otherDestinations = ['other4', 'other6'].flatMap(set =>
      json(['list', 'set', 'inet', 'kith_probe', set]).flatMap(entry => {
        const elem = (entry.set as { elem?: unknown[] } | undefined)?.elem ?? []
        return elem.map(e => (typeof e === 'string' ? e : JSON.stringify(e)))
      })
    )
    return { packets, otherDestinations }
  }

  /** Runs `node -e script` inside (to prove the counters see what leaves). */
  nodeInside(script: string): void {
    run(['ip', 'netns', 'exec', this.inside, process.execPath, '-e', script])
  }

  /** Removes both namespaces (and so the veth pair and the table); safe to call twice or after a failed create. */
  destroy(): void {
    for (const ns of [this.inside, this.capture]) spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8' })
  }
}

/**
 * A real `kith daemon` child process in a network namespace (`ip netns exec` execs in place, so
 * the child's pid is the daemon's). The test reaches it through the home's Unix socket, which a
 * network namespace does not hide.
 */
export class NamespacedDaemon extends TestDaemon {
  constructor(
    home: string,
    readonly namespace: string,
    extraArgs: string[],
    env: NodeJS.ProcessEnv
  ) {
    super(home, extraArgs)
    this.env = daemonEnv(env)
  }

  override async start(timeoutMs = 30_000): Promise<DaemonInfo> {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.namespace, process.execPath, ...DAEMON_NODE_FLAGS, KITH_BIN, 'daemon', '--home', this.home, ...this.extraArgs],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    this.child = child
    child.stdout.setEncoding('utf8').on('data', d => {
      this.output += String(d)
    })
    child.stderr.setEncoding('utf8').on('data', d => {
      this.output += String(d)
    })
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`daemon exited with ${String(child.exitCode)} during start-up:\n${this.output}`)
      const info = await readDaemonInfo(this.home)
      if (info !== undefined && info.pid === child.pid && info.socket !== undefined) {
        const res = await httpRequest(info, 'GET', '/api/status', undefined, { timeoutMs: 2000 }).catch(() => undefined)
        if (res?.status === 200) {
          this.info = info
          return info
        }
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error(`daemon did not answer within ${timeoutMs} ms:\n${this.output}`)
  }
}
