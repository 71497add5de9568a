/** Pairing and sync between whole devices in one process over the memory network. */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { SyncDevice, eventually, PASSWORD } from './helpers/syncDevice.js'

const devices: SyncDevice[] = []
async function device(net: MemoryNetwork, name: string, options?: { snapshotEvery?: number }): Promise<SyncDevice> {
  const d = await SyncDevice.create(name, net, options)
  devices.push(d)
  return d
}
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

async function pairedPair(): Promise<{ net: MemoryNetwork; a: SyncDevice; b: SyncDevice }> {
  const net = new MemoryNetwork()
  const a = await device(net, 'A')
  const b = await device(net, 'B')
  await a.init()
  await b.joinFrom(a)
  return { net, a, b }
}

describe('two devices over the memory network', () => {
  it('pair by invitation: both rosters list both devices, and the joiner holds the vault', async () => {
    const { a, b } = await pairedPair()
    expect(b.service.unlocked).toBe(true)
    expect(b.service.vaults().map(v => v.name)).toEqual(['Personal'])
    for (const d of [a, b]) expect(d.sync.roster.members().sort()).toEqual([a.id, b.id].sort())
    await eventually(() => a.sync.engine.isOnline(b.id) && b.sync.engine.isOnline(a.id), 'both online')
    const listed = a.sync.devices.list()
    expect(listed.map(d => [d.id, d.self, d.online])).toEqual(
      expect.arrayContaining([
        [a.id, true, true],
        [b.id, false, true]
      ])
    )
    expect(listed.find(d => d.id === b.id)?.name).toBe('B')
  })

  it('adds, edits and deletes flow both ways', async () => {
    const { a, b } = await pairedPair()
    const x = await a.service.createItem({ title: 'x', username: 'ux', password: 'px' })
    await eventually(() => b.service.listItems().some(i => i.id === x.id), 'x on B')
    const y = await b.service.createItem({ title: 'y' })
    await eventually(() => a.service.listItems().some(i => i.id === y.id), 'y on A')
    await b.service.updateItem(x.id, { password: 'changed on B' })
    await eventually(() => a.service.getItem(x.id).password === 'changed on B', 'edit on A')
    await a.service.trashItem(y.id)
    await eventually(() => b.service.getItem(y.id).trashed, 'trash on B')
    await a.service.purgeItem(y.id)
    await eventually(() => b.service.listItems({ trashed: true }).every(i => i.id !== y.id), 'purge on B')
    expect(a.snapshot()).toEqual(b.snapshot())
    expect(a.warnings()).toEqual([])
    expect(b.warnings()).toEqual([])
  })

  it('a locked device still receives changes and shows them once unlocked', async () => {
    const { a, b } = await pairedPair()
    await b.service.lock()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await a.service.createItem({ title: `while locked ${i}` })).id)
    const vaultId = a.device.replicas.ids()[0] as string
    await eventually(
      () => b.device.replicas.get(vaultId)?.vector().get(a.id) === a.device.replicas.get(vaultId)?.vector().get(a.id),
      'B stored all envelopes while locked'
    )
    await b.service.unlock(PASSWORD)
    expect(
      b.service
        .listItems()
        .map(i => i.id)
        .sort()
    ).toEqual(ids.sort())
  })

  it('a device paired through B is trusted by A (the roster syncs), and a new vault reaches every device', async () => {
    const { net, a, b } = await pairedPair()
    const c = await device(net, 'C')
    await c.joinFrom(b)
    await eventually(() => a.sync.roster.isMember(c.id), 'A learns C from B')
    await eventually(() => a.sync.engine.isOnline(c.id), 'A and C connect directly')
    const item = await c.service.createItem({ title: 'from C' })
    await eventually(() => a.service.listItems().some(i => i.id === item.id), 'C item on A')
    await a.service.createVault('Work')
    const workOn = (d: SyncDevice): boolean => d.service.vaults().some(v => v.name === 'Work')
    await eventually(() => workOn(b) && workOn(c), 'Work vault on B and C')
    const w = await c.service.createItem({ title: 'work item', vault: 'Work' })
    await eventually(
      () =>
        a.service.listItems({ vault: 'Work' }).some(i => i.id === w.id) && b.service.listItems({ vault: 'Work' }).some(i => i.id === w.id),
      'work item everywhere'
    )
  })

  it('revoking a device rotates every vault key; it is refused and gets nothing written afterwards', async () => {
    const { net, a, b } = await pairedPair()
    const c = await device(net, 'C')
    await c.joinFrom(a)
    await eventually(() => b.sync.roster.isMember(c.id) && c.sync.engine.isOnline(b.id), 'C known to B')
    const vaultId = a.device.replicas.ids()[0] as string
    const before = a.device.keyring.currentEpoch(vaultId)
    const res = await a.sync.devices.revoke(c.id)
    expect(res.rotated).toEqual([{ vaultId, epoch: expect.any(Number) }])
    const after = res.rotated[0]?.epoch as number
    expect(after).toBeGreaterThan(before)
    await eventually(() => !b.sync.roster.isMember(c.id), 'B learns of the removal')
    await eventually(() => !c.sync.engine.isOnline(a.id) && !c.sync.engine.isOnline(b.id), 'C disconnected')
    await eventually(() => {
      try {
        return b.device.keyring.currentEpoch(vaultId) === after
      } catch {
        return false
      }
    }, 'B holds the new epoch')
    // C never holds the new key (it may have been told of its removal, whose record declares the new
    // epoch: then it knows the epoch's number, not its key)
    expect(c.device.keyring.heldEpochs(vaultId)).not.toContain(after)
    expect(c.device.keyring.heldEpochs(vaultId)).toContain(before)
    const secret = await a.service.createItem({ title: 'after removal' })
    await eventually(() => b.service.listItems().some(i => i.id === secret.id), 'B gets the new item')
    await c.sync.engine.dial(a.id)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(c.service.listItems().some(i => i.id === secret.id)).toBe(false)
    expect(a.sync.devices.list().map(d => d.id)).not.toContain(c.id)
    await expect(a.sync.devices.revoke(a.id)).rejects.toThrow(/cannot remove itself/)
    await expect(a.sync.devices.revoke('ffffffffffff')).rejects.toThrow(/no device/)
  })

  it('two devices that remove devices while apart end with a newest key that only current devices hold', async () => {
    const { net, a, b } = await pairedPair()
    const c = await device(net, 'C')
    const d = await device(net, 'D')
    await c.joinFrom(a)
    await d.joinFrom(a)
    const all = [a, b, c, d]
    await eventually(() => all.every(x => all.every(y => x.sync.roster.isMember(y.id))), 'all four on every roster')
    const vaultId = a.device.replicas.ids()[0] as string
    await eventually(
      () =>
        all.every(x => {
          try {
            return x.device.keyring.currentEpoch(vaultId) === 0
          } catch {
            return false
          }
        }),
      'every device holds the key'
    )
    for (const [i, x] of all.entries()) for (const y of all.slice(i + 1)) await x.partition(y)

    // apart: A removes C, B removes D; each seals its new key to the device the other removed
    await a.sync.devices.revoke(c.id)
    await b.sync.devices.revoke(d.id)
    const epochA = a.device.keyring.currentEpoch(vaultId)
    const epochB = b.device.keyring.currentEpoch(vaultId)
    expect(epochA).not.toBe(epochB)

    a.heal(b)
    await a.sync.engine.dial(b.id)
    await eventually(
      () => [a, b].every(x => x.sync.roster.isRevoked(c.id) && x.sync.roster.isRevoked(d.id)),
      'both removals on both rosters'
    )
    const grantees = async (x: typeof a, epoch: number): Promise<string[]> => {
      const out: string[] = []
      for await (const key of x.storage.keys(`keyring/grant/${vaultId}/${epoch.toString(16).padStart(8, '0')}/`))
        out.push(key.split('/').at(-1) as string)
      return out
    }
    await eventually(
      async () => {
        const current = a.device.keyring.currentEpoch(vaultId)
        if (b.device.keyring.currentEpoch(vaultId) !== current || current === epochA || current === epochB) return false
        const holders = [...(await grantees(a, current)), ...(await grantees(b, current))]
        return holders.length > 0 && holders.every(h => h === a.id || h === b.id)
      },
      'a newest epoch, on both, sealed to A and B only',
      15_000
    )
    expect([...a.warnings(), ...b.warnings()].some(w => /rotating again/.test(w))).toBe(true)

    // and they still read each other's writes, old and new
    const fromA = await a.service.createItem({ title: 'from A after the merge' })
    const fromB = await b.service.createItem({ title: 'from B after the merge' })
    await eventually(
      () => b.service.listItems().some(i => i.id === fromA.id) && a.service.listItems().some(i => i.id === fromB.id),
      'both new items on both'
    )
    expect([...a.device.replicas.corrupt(), ...b.device.replicas.corrupt()]).toEqual([])
  })
})
