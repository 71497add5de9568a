import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import type { Kdf } from '../../daemon/keyring/Kdf.js'
import { ARGON2_FLOOR } from '../../daemon/crypto/kdf.js'
import { PASSWORD } from '../helpers/memoryDevice.js'
import { testKdf } from '../helpers/testKdf.js'

const password = (p: string) => ({ kind: 'password' as const, password: p })

/** A keyring over the keyring/ and meta/ views of `root`, with the cheap test KDF unless `kdf` is 'production'. */
async function fresh(
  root = new MemoryStorageAdapter(),
  identity = DeviceIdentity.generate(),
  kdf: Kdf | 'production' = testKdf
): Promise<Keyring> {
  const views = storageViews(root)
  const throttle = new UnlockThrottle(views.meta)
  const k =
    kdf === 'production'
      ? new Keyring({ storage: views.keyring, identity, throttle })
      : new Keyring({ storage: views.keyring, identity, throttle, kdf })
  await k.load()
  return k
}

describe('Keyring', () => {
  it('initialises, locks, and unlocks with the password to the same vault keys (the real Argon2id floor)', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity, 'production')
    await k.initialize(PASSWORD, ARGON2_FLOOR)
    const vaultId = await k.createVault()
    const key = Uint8Array.from(k.vaultKey(vaultId, 0))
    k.lock()
    expect(() => k.vaultKey(vaultId, 0)).toThrow(expect.objectContaining({ name: 'LockedError' }))
    const again = await fresh(storage, identity, 'production')
    expect(again.initialized).toBe(true)
    await again.unlock(password(PASSWORD))
    expect(again.vaultKey(vaultId, 0)).toEqual(key)
    expect(await again.vaultIds()).toEqual([vaultId])
  })

  it('refuses below-floor parameters unless a test KDF is injected: for a new slot and for a stored one', async () => {
    const weak = { m: 64, t: 1, p: 1 }
    const production = await fresh(new MemoryStorageAdapter(), DeviceIdentity.generate(), 'production')
    await expect(production.initialize(PASSWORD, weak)).rejects.toMatchObject({ name: 'WeakKdfParamsError' })
    expect(production.initialized).toBe(false)
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    await (await fresh(storage, identity)).initialize(PASSWORD, weak)
    const reopened = await fresh(storage, identity, 'production')
    await expect(reopened.unlock(password(PASSWORD))).rejects.toMatchObject({ name: 'WeakKdfParamsError' })
    expect(reopened.throttle.failures).toBe(0)
  })

  it('refuses a wrong password with WrongPasswordError, for unlock and verify alike, and counts both', async () => {
    const k = await fresh()
    await k.initialize(PASSWORD)
    await expect(k.verify(password('wrong password!'))).rejects.toMatchObject({ name: 'WrongPasswordError' })
    await k.verify(password(PASSWORD))
    k.lock()
    await expect(k.unlock(password('wrong password!'))).rejects.toMatchObject({ name: 'WrongPasswordError' })
    expect(k.unlocked).toBe(false)
    expect(k.throttle.failures).toBe(1)
  })

  it('verify checks the password without unlocking', async () => {
    const k = await fresh()
    await k.initialize(PASSWORD)
    k.lock()
    await k.verify(password(PASSWORD))
    expect(k.unlocked).toBe(false)
  })

  it('changes the password: the old one stops working, the new one opens the same keys', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity)
    await k.initialize(PASSWORD)
    const vaultId = await k.createVault()
    const key = Uint8Array.from(k.vaultKey(vaultId, 0))
    await expect(k.changePassword('not it at all', 'another long password')).rejects.toMatchObject({ name: 'WrongPasswordError' })
    await k.changePassword(PASSWORD, 'another long password')
    const again = await fresh(storage, identity)
    await expect(again.unlock(password(PASSWORD))).rejects.toMatchObject({ name: 'WrongPasswordError' })
    await again.unlock(password('another long password'))
    expect(again.vaultKey(vaultId, 0)).toEqual(key)
  })

  it('a grant that does not open is reported by name and skipped; the other vaults still unlock', async () => {
    const storage = new MemoryStorageAdapter()
    const identity = DeviceIdentity.generate()
    const k = await fresh(storage, identity)
    await k.initialize(PASSWORD)
    const good = await k.createVault()
    const bad = await k.createVault()
    for await (const [key, box] of storage.entries(`keyring/grant/${bad}/`)) {
      const flipped = Uint8Array.from(box)
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
      await storage.put(key, flipped)
    }
    const again = await fresh(storage, identity)
    await again.unlock(password(PASSWORD))
    expect(again.badGrants.map(e => e.name)).toEqual(['BadGrantError'])
    expect(again.badGrants[0]?.key).toMatch(new RegExp(`^keyring/grant/${bad}/`))
    expect(again.vaultKey(good, 0)).toEqual(k.vaultKey(good, 0))
    expect(() => again.vaultKey(bad, 0)).toThrow(expect.objectContaining({ name: 'NoVaultKeyError' }))
  })

  it('seals vault keys to another device that can open them, and indexes the grants it holds', async () => {
    const a = await fresh()
    await a.initialize(PASSWORD)
    const vaultId = await a.createVault()
    const b = await fresh()
    await b.initialize('b password long')
    const grants = a.grantsFor(b.deviceId, b.sealingPublicKey)
    await b.storeGrants(grants)
    expect(b.vaultKey(vaultId, 0)).toEqual(a.vaultKey(vaultId, 0))
    await a.storeGrants(grants)
    expect((await a.grants.index()).get(vaultId)).toEqual(
      new Map([
        [a.deviceId, new Set([0])],
        [b.deviceId, new Set([0])]
      ])
    )
    expect(await a.grants.has({ vaultId, epoch: 0, deviceId: b.deviceId })).toBe(true)
    expect((await a.grants.forDevice(b.deviceId)).map(g => g.box)).toEqual(grants.map(g => g.box))
    await a.grants.drop({ vaultId, epoch: 0, deviceId: b.deviceId })
    expect(await a.grants.has({ vaultId, epoch: 0, deviceId: b.deviceId })).toBe(false)
  })

  it('erases only its own records: the rest of the store stays', async () => {
    const storage = new MemoryStorageAdapter()
    const k = await fresh(storage)
    await k.initialize(PASSWORD)
    await k.createVault()
    await storage.put('vault/x/env/y/00000001', new Uint8Array([1]))
    expect(await k.erase()).toBe(5) // device record, password slot and its record, the vault key and its minted mark
    const left: string[] = []
    for await (const key of storage.keys('')) left.push(key)
    expect(left).toEqual(['vault/x/env/y/00000001'])
  })
})

describe('UnlockThrottle', () => {
  it('allows three failures, then delays exponentially, and survives a restart', async () => {
    const storage = new MemoryStorageAdapter()
    let now = 1_000_000
    const t = new UnlockThrottle(storage, () => now)
    await t.load()
    const fail = async (): Promise<unknown> =>
      await t
        .run(
          async () => {
            throw new Error('wrong')
          },
          () => true
        )
        .catch(e => e)
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
    await restarted.run(
      async () => 'ok',
      () => true
    )
    expect(restarted.failures).toBe(0)
  })

  it('runs attempts one at a time', async () => {
    const t = new UnlockThrottle(new MemoryStorageAdapter())
    let inFlight = 0
    let maxInFlight = 0
    await Promise.all(
      [1, 2, 3].map(
        async () =>
          await t.run(
            async () => {
              inFlight++
              maxInFlight = Math.max(maxInFlight, inFlight)
              await new Promise(resolve => setTimeout(resolve, 5))
              inFlight--
            },
            () => false
          )
      )
    )
    expect(maxInFlight).toBe(1)
  })
})
