/**
 * Authors attest only to themselves (issue 10, item 6): what a hostile paired device M can no
 * longer do to the other devices' logs. M is on the roster and holds the vault key; it speaks the
 * sync protocol by hand. Each case runs over the memory network and over real libp2p on 127.0.0.1.
 */
import { describe, it, expect, afterEach, beforeEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { MsgType } from '../../daemon/sync/messages.js'
import { SyncDevice, eventually, PASSWORD } from './helpers/syncDevice.js'
import { hostileSession } from './helpers/hostile.js'
import { forgeEnvelope, forgeSnapshot, itemUpdate } from './helpers/forge.js'

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

type Transport = MemoryNetwork | 'libp2p'

async function device(transport: Transport, name: string): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, transport)
  devices.push(d)
  return d
}

const addrsOf = (d: SyncDevice): string[] => d.sync.network.multiaddrs()
const vaultOf = (d: SyncDevice): string => d.device.replicas.ids()[0] as string
const heldBy = (d: SyncDevice, vaultId: string, author: SyncDevice): number => d.device.replicas.get(vaultId)?.vector().get(author.id) ?? 0
const hasItem = (d: SyncDevice, id: string): boolean => d.items().some(i => i.id === id)
/** The daemon status field this item adds (undefined on code without it). */
const quarantined = (d: SyncDevice): Array<{ deviceId: string; vaultId: string; since: string }> =>
  (d.device.replicas as unknown as { quarantined?: () => Array<{ deviceId: string; vaultId: string; since: string }> }).quarantined?.() ??
  []

/** A, B and a hostile M, paired; M's engine stopped so that it speaks only by hand. */
async function withHostile(
  transport: Transport,
  others: string[] = []
): Promise<{ a: SyncDevice; b: SyncDevice; m: SyncDevice; vaultId: string; more: SyncDevice[] }> {
  const a = await device(transport, 'A')
  const b = await device(transport, 'B')
  const m = await device(transport, 'M')
  await a.init()
  await b.joinFrom(a)
  const more: SyncDevice[] = []
  for (const name of others) {
    const d = await device(transport, name)
    await d.joinFrom(a)
    more.push(d)
  }
  await m.joinFrom(a)
  const vaultId = vaultOf(a)
  const first = await a.service.createItem({ title: 'first from A' })
  await eventually(() => hasItem(b, first.id) && hasItem(m, first.id), "A's first item on B and M")
  const fromM = await m.service.createItem({ title: 'honest item from M' })
  await eventually(() => hasItem(a, fromM.id) && hasItem(b, fromM.id), "M's honest item on A and B")
  await m.sync.engine.stop()
  for (const d of more) await eventually(() => hasItem(d, fromM.id), `M's honest item on ${d.name}`)
  return { a, b, m, vaultId, more }
}

describe.each([['memory network'], ['real libp2p on 127.0.0.1']])('authors attest only to themselves (%s)', name => {
  let net: Transport = 'libp2p'
  const transport = (): Transport => net
  beforeEach(() => {
    net = name === 'memory network' ? new MemoryNetwork() : 'libp2p'
  })

  it('a snapshot claiming A: 1,000,000 does not make B drop or advertise A’s next envelopes', async () => {
    const { a, b, m, vaultId } = await withHostile(transport())
    const claims = new Map([
      [a.id, 1_000_000],
      [m.id, heldBy(m, vaultId, m)]
    ])
    const s = await hostileSession(m, b, addrsOf(b))
    s.send({ type: MsgType.Snapshot, snapshot: forgeSnapshot(m, vaultId, claims, itemUpdate('forged', 'FORGED')) })
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(heldBy(b, vaultId, a)).toBeLessThan(1_000_000)
    const next = await a.service.createItem({ title: 'A after the forged snapshot' })
    await eventually(() => hasItem(b, next.id), "A's next item reaches B")
    expect(heldBy(b, vaultId, a)).toBe(heldBy(a, vaultId, a))
    await s.close()
  })

  it('a locked receiver given that snapshot keeps accepting A’s envelopes and shows them at unlock', async () => {
    const { a, b, m, vaultId } = await withHostile(transport())
    await b.service.lock()
    const s = await hostileSession(m, b, addrsOf(b))
    const claims = new Map([[a.id, 1_000_000]])
    s.send({ type: MsgType.Snapshot, snapshot: forgeSnapshot(m, vaultId, claims, itemUpdate('forged', 'FORGED')) })
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(heldBy(b, vaultId, a)).toBeLessThan(1_000_000)
    const next = await a.service.createItem({ title: 'A while B is locked' })
    await eventually(() => heldBy(b, vaultId, a) === heldBy(a, vaultId, a), 'B stores A’s next envelope while locked')
    await b.service.unlock(PASSWORD)
    expect(hasItem(b, next.id)).toBe(true)
    expect(b.items().some(i => i.title === 'FORGED')).toBe(false)
    await s.close()
  })

  it('a removed device’s snapshot past its bound, relayed by a member, is refused', async () => {
    const { a, b, m, vaultId } = await withHostile(transport())
    const r = await device(transport(), 'R')
    await r.joinFrom(a)
    await eventually(() => b.sync.roster.isMember(r.id), 'B knows R')
    const before = await r.service.createItem({ title: 'R before removal' })
    await eventually(() => hasItem(b, before.id) && hasItem(a, before.id), "R's item on A and B")
    // R is cut off and writes on (A never sees it: past the bound A's removal sets), snapshots it,
    // and A removes it; an honest R that hears of its removal refuses to write under the old key,
    // so the writes come first
    await r.sync.engine.stop()
    const bound = heldBy(a, vaultId, r)
    for (let i = 0; i < 3; i++) await r.service.createItem({ title: `R after removal ${i}` })
    await r.device.replicas.get(vaultId)?.snapshot()
    const [snapshot] = (await r.device.replicas.get(vaultId)?.snapshots()) ?? []
    await a.sync.devices.revoke(r.id)
    await eventually(() => !b.sync.roster.isMember(r.id), 'B learns of the removal')
    expect(snapshot).toBeDefined()
    const s = await hostileSession(m, b, addrsOf(b))
    s.send({ type: MsgType.Snapshot, snapshot: snapshot as Uint8Array })
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(heldBy(b, vaultId, r)).toBeLessThanOrEqual(bound)
    expect(b.items().some(i => i.title.startsWith('R after removal'))).toBe(false)
    // and it stays refused across a restart
    await b.stop()
    await b.restart()
    await b.service.unlock(PASSWORD)
    expect(heldBy(b, vaultId, r)).toBeLessThanOrEqual(bound)
    expect(b.items().some(i => i.title.startsWith('R after removal'))).toBe(false)
    await s.close()
  })

  it('two envelopes for one seq sent through two peers: detected, M quarantined, sync with the others goes on', async () => {
    const { a, b, m, vaultId, more } = await withHostile(transport(), ['C'])
    const c = more[0] as SyncDevice
    await b.sync.engine.connect(c.id, addrsOf(c))
    await eventually(() => b.sync.engine.isOnline(c.id) && c.sync.engine.isOnline(b.id), 'B and C connected')
    const seq = heldBy(m, vaultId, m) + 1
    const one = forgeEnvelope(m, vaultId, seq, itemUpdate('fork-1', 'FORK ONE'))
    const two = forgeEnvelope(m, vaultId, seq, itemUpdate('fork-2', 'FORK TWO'))
    const toB = await hostileSession(m, b, addrsOf(b))
    const toC = await hostileSession(m, c, addrsOf(c))
    toB.send({ type: MsgType.Envelopes, envelopes: [one] })
    toC.send({ type: MsgType.Envelopes, envelopes: [two] })
    for (const d of [b, c])
      await eventually(() => quarantined(d).some(q => q.deviceId === m.id && q.vaultId === vaultId), `${d.name} quarantines M`, 10_000)
    for (const d of [b, c]) expect(d.warnings().some(w => /equivocat/i.test(w) && w.includes(m.id.slice(0, 12)))).toBe(true)
    // M's further envelopes are neither applied nor relayed
    toB.send({ type: MsgType.Envelopes, envelopes: [forgeEnvelope(m, vaultId, seq + 1, itemUpdate('after', 'AFTER FORK'))] })
    // everyone else keeps syncing, and B and C keep their session
    const later = await a.service.createItem({ title: 'A after the fork' })
    await eventually(() => hasItem(b, later.id) && hasItem(c, later.id), "A's item on B and C")
    const fromC = await c.service.createItem({ title: 'C after the fork' })
    await eventually(() => hasItem(b, fromC.id) && hasItem(a, fromC.id), "C's item on A and B")
    expect(b.sync.engine.isOnline(c.id) && c.sync.engine.isOnline(b.id)).toBe(true)
    expect(b.items().some(i => i.title === 'AFTER FORK')).toBe(false)
    expect(
      b
        .warnings()
        .concat(c.warnings())
        .filter(w => w.includes('rejected data from'))
    ).toEqual([])
    // the quarantine and its proof survive a restart
    await b.stop()
    await b.restart()
    expect(quarantined(b).some(q => q.deviceId === m.id && q.vaultId === vaultId)).toBe(true)
    await toB.close()
    await toC.close()
  })
})
