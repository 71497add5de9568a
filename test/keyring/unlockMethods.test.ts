/**
 * The unlock methods beside the password (issue 12): passkey slots opened by a PRF output, the
 * password and a passkey as two factors (each alone fails), a recovery key that asks for a new
 * password, renaming and removing with the last way in kept, and no secret in the store in clear.
 */
import { describe, expect, it } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import { formatRecoveryKey, parseRecoveryKey, RECOVERY_KEY_BYTES } from '../../daemon/keyring/recoveryKey.js'
import { decodeSlot } from '../../daemon/keyring/UnlockSlot.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { PASSWORD } from '../helpers/memoryDevice.js'
import { testKdf } from '../helpers/testKdf.js'

async function device() {
  const root = new MemoryStorageAdapter()
  const views = storageViews(root)
  const identity = DeviceIdentity.generate()
  const open = async (): Promise<Keyring> => {
    const k = new Keyring({ storage: views.keyring, identity, throttle: new UnlockThrottle(views.meta), kdf: testKdf })
    await k.load()
    return k
  }
  const k = await open()
  await k.initialize(PASSWORD, testKdf.floor)
  const vaultId = await k.createVault()
  const vaultKey = Uint8Array.from(k.vaultKey(vaultId, 0))
  return { root, k, open, vaultId, vaultKey }
}

const named = (name: string) => expect.objectContaining({ name })

describe('unlock methods', () => {
  it('a passkey opens the device with its PRF output alone; another output, or a removed passkey, does not', async () => {
    const { k, open, vaultId, vaultKey } = await device()
    const prf = randomBytes(32)
    const method = await k.methodEditor.addPasskey({ name: 'Laptop Touch ID', prfOutput: prf, public: { credentialId: 'abc' } })
    expect(method).toMatchObject({ kind: 'passkey', name: 'Laptop Touch ID', public: { credentialId: 'abc' } })
    k.lock()
    const again = await open()
    await again.unlock({ kind: 'passkey', methodId: method.id, prfOutput: prf })
    expect(again.vaultKey(vaultId, 0)).toEqual(vaultKey)
    const listed = (await again.methods()).find(m => m.id === method.id)
    expect(listed?.lastUsedAt).not.toBeNull()
    again.lock()
    await expect(again.unlock({ kind: 'passkey', methodId: method.id, prfOutput: randomBytes(32) })).rejects.toThrow(
      named('WrongPasswordError')
    )
    expect(again.throttle.failures).toBe(1)
    await again.unlock({ kind: 'password', password: PASSWORD })
    await again.methodEditor.remove(method.id)
    again.lock()
    await expect(again.unlock({ kind: 'passkey', methodId: method.id, prfOutput: prf })).rejects.toThrow(named('UnlockMethodNotFoundError'))
  })

  it('password and passkey together: each alone fails, both open; the password-only and passkey-only methods are gone', async () => {
    const { k, open, vaultId, vaultKey } = await device()
    const single = await k.methodEditor.addPasskey({ prfOutput: randomBytes(32), public: {} })
    const prf = randomBytes(32)
    await expect(k.methodEditor.addPasskey({ prfOutput: prf, public: {}, withPassword: 'not the password' })).rejects.toThrow(
      named('WrongPasswordError')
    )
    const both = await k.methodEditor.addPasskey({ name: 'Key', prfOutput: prf, public: {}, withPassword: PASSWORD })
    expect(both.kind).toBe('password+passkey')
    expect((await k.methods()).map(m => m.kind)).toEqual(['password+passkey'])
    expect(await k.methodEditor.twoFactor()).toBe(true)
    k.lock()
    const again = await open()
    await expect(again.unlock({ kind: 'password', password: PASSWORD })).rejects.toThrow(named('PasskeyRequiredError'))
    await expect(again.unlock({ kind: 'passkey', methodId: single.id, prfOutput: prf })).rejects.toThrow(named('UnlockMethodNotFoundError'))
    await expect(again.unlock({ kind: 'passkey', methodId: both.id, prfOutput: prf })).rejects.toThrow(named('UnlockMethodNotFoundError'))
    await expect(again.unlock({ kind: 'password+passkey', methodId: both.id, password: 'wrong one', prfOutput: prf })).rejects.toThrow(
      named('WrongPasswordError')
    )
    await expect(
      again.unlock({ kind: 'password+passkey', methodId: both.id, password: PASSWORD, prfOutput: randomBytes(32) })
    ).rejects.toThrow(named('WrongPasswordError'))
    await again.unlock({ kind: 'password+passkey', methodId: both.id, password: PASSWORD, prfOutput: prf })
    expect(again.vaultKey(vaultId, 0)).toEqual(vaultKey)
    // a passkey alone can no longer be added: it would be a way around the password
    await expect(again.methodEditor.addPasskey({ prfOutput: randomBytes(32), public: {} })).rejects.toThrow(named('UnlockMethodError'))
    await expect(again.changePassword(PASSWORD, 'a new one')).rejects.toThrow(named('PasskeyRequiredError'))
  })

  it('the password half of a password+passkey slot costs what the password slot did (its tuned Argon2id, not the floor)', async () => {
    const root = new MemoryStorageAdapter()
    const views = storageViews(root)
    const k = new Keyring({
      storage: views.keyring,
      identity: DeviceIdentity.generate(),
      throttle: new UnlockThrottle(views.meta),
      kdf: testKdf
    })
    await k.load()
    const tuned = { ...testKdf.floor, t: testKdf.floor.t + 2 }
    await k.initialize(PASSWORD, tuned)
    const method = await k.methodEditor.addPasskey({ prfOutput: randomBytes(32), public: {}, withPassword: PASSWORD })
    const slot = await views.keyring.get(`slot/${method.id}`)
    expect(decodeSlot(slot as Uint8Array).params).toEqual(tuned)
  })

  it('the recovery key unlocks when the password is forgotten and then sets a new one; the old password fails', async () => {
    const { k, open, vaultId, vaultKey } = await device()
    const { info, recoveryKey } = await k.methodEditor.addRecoveryKey()
    expect(info.kind).toBe('recovery-key')
    expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/)
    k.lock()
    const again = await open()
    await expect(again.unlock({ kind: 'recovery-key', recoveryKey: formatRecoveryKey(randomBytes(RECOVERY_KEY_BYTES)) })).rejects.toThrow(
      named('WrongPasswordError')
    )
    expect(again.throttle.failures).toBe(1)
    await expect(again.unlock({ kind: 'recovery-key', recoveryKey: 'too short' })).rejects.toThrow(named('InvalidRecoveryKeyError'))
    await again.unlock({ kind: 'recovery-key', recoveryKey: recoveryKey.toLowerCase().replace(/-/g, ' ') })
    expect(again.vaultKey(vaultId, 0)).toEqual(vaultKey)
    expect(again.needsNewPassword).toBe(true)
    await again.setPasswordAfterRecovery('the new master password')
    expect(again.needsNewPassword).toBe(false)
    again.lock()
    await expect(again.unlock({ kind: 'password', password: PASSWORD })).rejects.toThrow(named('WrongPasswordError'))
    await again.unlock({ kind: 'password', password: 'the new master password' })
    again.lock()
    await again.unlock({ kind: 'recovery-key', recoveryKey })
  })

  it('a new password without the old one needs a recovery-key unlock', async () => {
    const { k } = await device()
    await expect(k.setPasswordAfterRecovery('sneaky new password')).rejects.toThrow(named('UnlockMethodError'))
  })

  it('changing the password keeps passkeys and the recovery key working', async () => {
    const { k, open } = await device()
    const prf = randomBytes(32)
    const passkey = await k.methodEditor.addPasskey({ prfOutput: prf, public: {} })
    const { recoveryKey } = await k.methodEditor.addRecoveryKey()
    await k.changePassword(PASSWORD, 'changed master password')
    k.lock()
    const again = await open()
    await again.unlock({ kind: 'passkey', methodId: passkey.id, prfOutput: prf })
    again.lock()
    await again.unlock({ kind: 'recovery-key', recoveryKey })
    again.lock()
    await again.unlock({ kind: 'password', password: 'changed master password' })
  })

  it('renames, refuses to remove the last way in, and a new recovery key replaces the old', async () => {
    const { k } = await device()
    const [password] = await k.methods()
    expect(password).toMatchObject({ id: 'password', kind: 'password' })
    await expect(k.methodEditor.remove('password')).rejects.toThrow(named('UnlockMethodError'))
    await expect(k.methodEditor.remove('nope')).rejects.toThrow(named('UnlockMethodNotFoundError'))
    const first = await k.methodEditor.addRecoveryKey()
    const second = await k.methodEditor.addRecoveryKey()
    expect((await k.methods()).filter(m => m.kind === 'recovery-key').map(m => m.id)).toEqual([second.info.id])
    expect(first.info.id).not.toBe(second.info.id)
    expect((await k.methodEditor.rename(second.info.id, '  In the safe  ')).name).toBe('In the safe')
    await expect(k.methodEditor.rename(second.info.id, '')).rejects.toThrow(named('UnlockMethodError'))
    await k.methodEditor.remove('password')
    expect((await k.methods()).map(m => m.kind)).toEqual(['recovery-key'])
  })

  it('changes need the device unlocked', async () => {
    const { k } = await device()
    k.lock()
    await expect(k.methodEditor.addRecoveryKey()).rejects.toThrow(named('LockedError'))
    await expect(k.methodEditor.addPasskey({ prfOutput: randomBytes(32), public: {} })).rejects.toThrow(named('LockedError'))
  })

  it('no PRF output, recovery key or root key is in the store in clear', async () => {
    const { root, k } = await device()
    const prf = randomBytes(32)
    await k.methodEditor.addPasskey({ prfOutput: prf, public: {} })
    const { recoveryKey } = await k.methodEditor.addRecoveryKey()
    const needles = [prf, parseRecoveryKey(recoveryKey), new TextEncoder().encode(recoveryKey)]
    for await (const [key, value] of root.entries('')) {
      const hay = Buffer.from(value)
      for (const needle of needles) expect(hay.includes(Buffer.from(needle)), key).toBe(false)
    }
  })

  it('reads a recovery key back however it is typed', () => {
    const bytes = randomBytes(RECOVERY_KEY_BYTES)
    const text = formatRecoveryKey(bytes)
    expect(parseRecoveryKey(text)).toEqual(bytes)
    expect(parseRecoveryKey(text.toLowerCase().replace(/-/g, ''))).toEqual(bytes)
    expect(parseRecoveryKey(text.replace(/0/g, 'O').replace(/1/g, 'I'))).toEqual(bytes)
    expect(() => parseRecoveryKey(`${text}X`)).toThrow(named('InvalidRecoveryKeyError'))
    expect(() => parseRecoveryKey(text.replace(/.$/, 'U'))).toThrow(named('InvalidRecoveryKeyError'))
  })
})
