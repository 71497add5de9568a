import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import { ARGON2_FLOOR } from '../../daemon/crypto/kdf.js'
import { PASSWORD } from '../helpers/memoryDevice.js'

async function fresh (storage = new MemoryStorageAdapter(), identity = DeviceIdentity.generate()): Promise<Keyring> {
  const k = new Keyring(storage, identity)
  await k.load()
  return k
}

describe('Keyring', () => {
  it('initialises, locks, and unlocks with the password to the same vault keys', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity)
    await k.initialize(PASSWORD, ARGON2_FLOOR)
    const vaultId = await k.createVault()
    const key = Uint8Array.from(k.vaultKey(vaultId, 0))
    k.lock()
    expect(() => k.vaultKey(vaultId, 0)).toThrow(expect.objectContaining({ name: 'LockedError' }))
    const again = await fresh(storage, identity)
    expect(again.initialized).toBe(true)
    await again.unlock(PASSWORD)
    expect(again.vaultKey(vaultId, 0)).toEqual(key)
    expect(await again.vaultIds()).toEqual([vaultId])
  })

  it('refuses a wrong password with WrongPasswordError', async () => {
    const k = await fresh()
    await k.initialize(PASSWORD, ARGON2_FLOOR)
    k.lock()
    await expect(k.unlock('wrong password!')).rejects.toMatchObject({ name: 'WrongPasswordError' })
    expect(k.unlocked).toBe(false)
  })

  it('changes the password: the old one stops working, the new one opens the same keys', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity)
    await k.initialize(PASSWORD, ARGON2_FLOOR)
    const vaultId = await k.createVault()
    const key = Uint8Array.from(k.vaultKey(vaultId, 0))
    await k.changePassword(PASSWORD, 'another long password', ARGON2_FLOOR)
    const again = await fresh(storage, identity)
    await expect(again.unlock(PASSWORD)).rejects.toMatchObject({ name: 'WrongPasswordError' })
    await again.unlock('another long password')
    expect(again.vaultKey(vaultId, 0)).toEqual(key)
  })

  it('a grant that does not open is reported by name and skipped; the other vaults still unlock', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity)
    await k.initialize(PASSWORD, ARGON2_FLOOR)
    const good = await k.createVault()
    const bad = await k.createVault()
    for await (const [key, box] of storage.entries(`keyring/grant/${bad}/`)) {
      const flipped = Uint8Array.from(box)
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
      await storage.put(key, flipped)
    }
    const again = await fresh(storage, identity)
    await again.unlock(PASSWORD)
    expect(again.badGrants.map(e => e.name)).toEqual(['BadGrantError'])
    expect(again.badGrants[0]?.key).toContain(bad)
    expect(again.vaultKey(good, 0)).toEqual(k.vaultKey(good, 0))
    expect(() => again.vaultKey(bad, 0)).toThrow(expect.objectContaining({ name: 'NoVaultKeyError' }))
  })

  it('seals vault keys to another device that can open them', async () => {
    const a = await fresh()
    await a.initialize(PASSWORD, ARGON2_FLOOR)
    const vaultId = await a.createVault()
    const b = await fresh()
    await b.initialize('b password long', ARGON2_FLOOR)
    await b.storeGrants(a.grantsFor(b.deviceId, b.sealingPublicKey))
    expect(b.vaultKey(vaultId, 0)).toEqual(a.vaultKey(vaultId, 0))
  })
})

describe('UnlockThrottle', () => {
  it('allows three failures, then delays exponentially, and survives a restart', async () => {
    const storage = new MemoryStorageAdapter()
    let now = 1_000_000
    const t = new UnlockThrottle(storage, () => now)
    await t.load()
    const fail = async (): Promise<unknown> => await t.run(async () => { throw new Error('wrong') }, () => true).catch(e => e)
    for (let i = 0; i < 3; i++) expect(await fail()).toMatchObject({ message: 'wrong' })
    expect(t.retryAfterMs()).toBe(1000)
    expect(await fail()).toMatchObject({ name: 'ThrottledError' })
    now += 1000
    expect(await fail()).toMatchObject({ message: 'wrong' })
    expect(t.retryAfterMs()).toBe(2000)
    const restarted = new UnlockThrottle(storage, () => now)
    await restarted.load()
    expect(restarted.retryAfterMs()).toBe(2000)
    now += 2000
    await restarted.run(async () => 'ok', () => true)
    expect(restarted.failures).toBe(0)
  })

  it('runs attempts one at a time', async () => {
    const t = new UnlockThrottle(new MemoryStorageAdapter())
    let inFlight = 0
    let maxInFlight = 0
    await Promise.all([1, 2, 3].map(async () => await t.run(async () => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise(resolve => setTimeout(resolve, 5))
      inFlight--
    }, () => false)))
    expect(maxInFlight).toBe(1)
  })
})
