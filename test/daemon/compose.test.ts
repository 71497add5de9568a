/** The composition root: parts start in order and stop in reverse, settings outlive a restart, a keyless peer holds no keys. */
import { describe, it, expect } from 'vitest'
import { Lifecycle } from '../../daemon/Startable.js'
import { composeKeylessPeer } from '../../daemon/compose.js'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { memoryService, PASSWORD } from '../helpers/memoryDevice.js'

describe('Lifecycle', () => {
  const recorder = () => {
    const calls: string[] = []
    const part = (name: string, fail = false) => ({
      name,
      start: async () => {
        calls.push(`start ${name}`)
        if (fail) throw new Error(`${name} broke`)
      },
      stop: async () => {
        calls.push(`stop ${name}`)
      }
    })
    return { calls, part }
  }

  it('starts parts in order and stops them in reverse', async () => {
    const { calls, part } = recorder()
    const life = new Lifecycle([part('storage'), part('keys'), part('network')], () => {})
    await life.start()
    await life.stop()
    expect(calls).toEqual(['start storage', 'start keys', 'start network', 'stop network', 'stop keys', 'stop storage'])
    await life.stop()
    expect(calls).toHaveLength(6)
  })

  it('when a part fails to start, stops the ones already started and rethrows', async () => {
    const { calls, part } = recorder()
    const life = new Lifecycle([part('storage'), part('keys', true), part('network')], () => {})
    await expect(life.start()).rejects.toThrow('keys broke')
    expect(calls).toEqual(['start storage', 'start keys', 'stop storage'])
  })

  it('a part that fails to stop is logged and the others still stop', async () => {
    const { calls, part } = recorder()
    const logs: string[] = []
    const broken = {
      name: 'keys',
      start: async () => {},
      stop: async () => {
        throw new Error('stuck')
      }
    }
    const life = new Lifecycle([part('storage'), broken, part('network')], (_level, message) => logs.push(message))
    await life.start()
    await life.stop()
    expect(calls).toEqual(['start storage', 'start network', 'stop network', 'stop storage'])
    expect(logs).toEqual(['stopping keys failed: stuck'])
  })
})

describe('composeDevice', () => {
  it('keeps the auto-lock setting across a restart (it used to be lost)', async () => {
    const first = await memoryService()
    await first.service.init(PASSWORD)
    await first.service.setAutoLock(42)
    await first.device.lifecycle.stop()
    const again = await memoryService({ storage: first.storage, identity: first.identity })
    // memoryService passes --auto-lock 0 as an override, like a flag on the command line; without it the saved value applies
    expect(again.service.autoLockMinutes).toBe(0)
    await again.device.lifecycle.stop()
    const { SettingsStore } = await import('../../daemon/service/SettingsStore.js')
    const { storageViews } = await import('../../daemon/storage/storageLayout.js')
    const settings = new SettingsStore(storageViews(first.storage).meta)
    await settings.load()
    expect(settings.autoLockMinutes).toBe(42)
  })

  it('refuses an auto-lock outside 0–1440 minutes and keeps the old one', async () => {
    const { service, device } = await memoryService()
    await service.init(PASSWORD)
    await expect(service.setAutoLock(-1)).rejects.toThrow(/between 0 and 1440/)
    await expect(service.setAutoLock(1441)).rejects.toThrow(/between 0 and 1440/)
    expect(service.autoLockMinutes).toBe(0)
    await device.lifecycle.stop()
  })

  it('builds the roster before the replicas need it: envelopes of a paired author are accepted from the first start', async () => {
    const { service, device } = await memoryService()
    await service.init(PASSWORD)
    expect(device.roster.members()).toEqual([device.identity.deviceId])
    await device.lifecycle.stop()
  })
})

describe('composeKeylessPeer', () => {
  it('opens every stored vault by id and serves its sealed records with no keyring, items or unlock', async () => {
    const { service, device, storage } = await memoryService()
    await service.init(PASSWORD)
    await service.createItem({ title: 'Bank', password: 'hunter2-secret' })
    const vaultId = device.replicas.ids()[0] as string
    const author = device.identity.deviceId
    const held = device.replicas.get(vaultId)?.vector().get(author) ?? 0
    await device.lifecycle.stop()

    // the same sealed records in a store that holds no key material
    const peerStorage = new MemoryStorageAdapter()
    for await (const [key, value] of storage.entries('vault/')) await peerStorage.put(key, value)
    const identity = DeviceIdentity.generate()
    const net = new MemoryNetwork()
    const peer = await composeKeylessPeer({ storage: peerStorage, identity, network: () => net.adapter(identity.deviceId), log: () => {} })
    await peer.lifecycle.start()
    expect(peer.role).toBe('backup-peer')
    expect('keyring' in peer || 'items' in peer || 'unlock' in peer).toBe(false)
    const replica = peer.replicas.get(vaultId)
    expect(replica?.unlocked).toBe(false)
    expect(replica?.vector().get(author)).toBe(held)
    const served = [...(await replica!.envelopesAfter(author, 0)), ...(await replica!.snapshots())]
    expect(served.length).toBeGreaterThan(0)
    const text = Buffer.concat(served.map(b => Buffer.from(b))).toString('latin1')
    expect(text).not.toContain('Bank')
    expect(text).not.toContain('hunter2-secret')
    await peer.lifecycle.stop()
  })
})
