/**
 * A whole device in one process, built by the daemon's composition root (compose.ts) over
 * MemoryStorageAdapter, on a MemoryNetwork or on real libp2p. Restartable: stop() then restart()
 * keeps its storage and identity, as a daemon restart keeps its home.
 */
import { MemoryStorageAdapter } from '../../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../../daemon/keyring/DeviceIdentity.js'
import { TestVault } from '../../helpers/TestVault.js'
import { composeDevice, type FullDevice } from '../../../daemon/compose.js'
import { Libp2pNetwork } from '../../../daemon/network/libp2p/Libp2pNetwork.js'
import type { MemoryNetwork } from '../../../daemon/network/memory/MemoryNetwork.js'
import type { Item } from '../../../daemon/vault/Item.js'
import { testKdf } from '../../helpers/testKdf.js'
import type { JoinResult, PairingTimings } from '../../../daemon/pairing/PairingService.js'

export const PASSWORD = 'correct horse battery staple'

export interface LogLine {
  level: string
  message: string
}

export class SyncDevice {
  /** the parts, as the composition root built them */
  device!: FullDevice
  /** the API's view of the use cases (init, items, vaults) */
  service!: TestVault
  readonly logs: LogLine[] = []
  running = false
  /** devices this one refuses to talk to (a simulated network partition on real libp2p) */
  readonly blocked = new Set<string>()

  private constructor(
    readonly name: string,
    readonly storage: MemoryStorageAdapter,
    readonly identity: DeviceIdentity,
    private readonly transport: MemoryNetwork | 'libp2p',
    private readonly snapshotEvery?: number,
    private readonly mdns = false,
    private readonly pairingTimings?: PairingTimings
  ) {}

  /** `mdns` only inside a loopback-only network namespace (test/network/mdns.test.ts). */
  static async create(
    name: string,
    transport: MemoryNetwork | 'libp2p',
    options: { snapshotEvery?: number; identity?: DeviceIdentity; mdns?: boolean; pairingTimings?: PairingTimings } = {}
  ): Promise<SyncDevice> {
    const d = new SyncDevice(
      name,
      new MemoryStorageAdapter(),
      options.identity ?? DeviceIdentity.generate(),
      transport,
      options.snapshotEvery,
      options.mdns === true,
      options.pairingTimings
    )
    await d.restart()
    return d
  }

  get id(): string {
    return this.identity.deviceId
  }

  log = (level: string, message: string): void => {
    this.logs.push({ level, message })
    if (process.env.KITH_TEST_LOG === '1') process.stderr.write(`[${this.name}] ${level} ${message}\n`)
  }

  /** The multi-device parts (network, roster, keys, engine, pairing, devices). */
  get sync(): FullDevice {
    return this.device
  }

  /** (Re)builds the device over the same storage and identity, and starts it. */
  async restart(): Promise<void> {
    if (this.running) return
    const transport = this.transport
    this.device = await composeDevice({
      storage: this.storage,
      identity: this.identity,
      log: this.log,
      kdfTargetMs: 0,
      kdf: testKdf,
      autoLockMinutes: 0,
      snapshotEvery: this.snapshotEvery,
      deviceName: this.name,
      backoff: { initialMs: 20, maxMs: 200 },
      pairingTimings: this.pairingTimings,
      // backup peers are asked what they hold every 200 ms (a daemon: every minute)
      witnessEveryMs: 200,
      // libp2p: the daemon's own path, including asking for last run's port on a restart
      network: ({ preferListen }) =>
        transport === 'libp2p'
          ? new Libp2pNetwork({
              seed: this.identity.seed,
              publicKey: this.identity.publicKey,
              listen: ['/ip4/127.0.0.1/tcp/0'],
              preferredListen: preferListen(['/ip4/127.0.0.1/tcp/0']),
              mdns: this.mdns,
              log: this.log
            })
          : transport.adapter(this.identity.deviceId),
      // a test can cut this device off from another on any transport
      wrapGate: gate => (id, direction, target) => !this.blocked.has(id) && gate(id, direction, target)
    })
    this.service = new TestVault(this.device.unlock, this.device.items)
    await this.device.lifecycle.start()
    this.running = true
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.device.lifecycle.stop()
  }

  async init(): Promise<void> {
    await this.service.init(PASSWORD)
  }

  /** Cuts the link to `other` both ways (connections close, dials are refused) until heal(). */
  async partition(other: SyncDevice): Promise<void> {
    this.blocked.add(other.id)
    other.blocked.add(this.id)
    await this.sync.network.disconnect(other.id)
  }

  heal(other: SyncDevice): void {
    this.blocked.delete(other.id)
    other.blocked.delete(this.id)
  }

  /** Pairs this (empty) device with `inviter` through an invitation, approved on the inviter as a person would. */
  async joinFrom(inviter: SyncDevice): Promise<JoinResult> {
    return await this.joinApproved(inviter, inviter.sync.devices.invite().invitation)
  }

  /** Joins with `invitation`; the inviter approves this device as soon as it waits. */
  async joinApproved(inviter: SyncDevice, invitation: string, password = PASSWORD): Promise<JoinResult> {
    const joining = this.sync.devices.join(invitation, password)
    let ended = false
    const end = (): void => {
      ended = true
    }
    joining.then(end, end)
    await eventually(() => ended || inviter.sync.devices.pending().some(p => p.id === this.id), 'the joiner to wait for approval', 10_000)
    if (!ended) await inviter.sync.devices.approve(this.id)
    return await joining
  }

  items(): Item[] {
    return this.service
      .listItems({})
      .concat(this.service.listItems({ trashed: true }))
      .sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Every item (trash included) in id order, for comparing replicas. */
  snapshot(): Item[] {
    return this.items()
  }

  warnings(): string[] {
    return this.logs.filter(l => l.level === 'warn' || l.level === 'error').map(l => l.message)
  }
}

/** Polls until `check` is true (or throws with `what` after the timeout). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
}
