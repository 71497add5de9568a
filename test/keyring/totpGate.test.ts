/**
 * The TOTP gate at unlock and the recovery key (issue 12 items 3 and 4), on a keyring over memory
 * storage with a clock the test moves: a missing or wrong code fails like a wrong password (and
 * counts toward the same backoff), codes of the previous and next step are accepted, each code
 * once (also for a keyring opened again on the same store), re-authentication asks for the
 * password alone, and neither the TOTP secret nor the recovery key is stored in clear.
 */
import { describe, expect, it } from 'vitest'
import * as OTPAuth from 'otpauth'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { storageViews } from '../../daemon/storage/storageLayout.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { Keyring } from '../../daemon/keyring/Keyring.js'
import { UnlockThrottle } from '../../daemon/keyring/UnlockThrottle.js'
import { parseRecoveryKey } from '../../daemon/keyring/recoveryKey.js'
import { PASSWORD } from '../helpers/memoryDevice.js'
import { testKdf } from '../helpers/testKdf.js'

const START = Date.UTC(2026, 11, 1, 12, 0, 10)
const named = (name: string) => expect.objectContaining({ name })

async function device() {
  const root = new MemoryStorageAdapter()
  const views = storageViews(root)
  const identity = DeviceIdentity.generate()
  const clock = { now: START }
  const open = async (): Promise<Keyring> => {
    const k = new Keyring({
      storage: views.keyring,
      identity,
      throttle: new UnlockThrottle(views.meta, () => clock.now),
      kdf: testKdf,
      now: () => clock.now
    })
    await k.load()
    return k
  }
  const k = await open()
  await k.initialize(PASSWORD, testKdf.floor)
  await k.createVault()
  return { root, k, open, clock }
}

/** Adds and confirms an authenticator; returns a code maker for any time step offset from now. */
async function withTotp(k: Keyring, clock: { now: number }) {
  const { info, secret, uri } = await k.totp.begin('Phone')
  expect(uri).toMatch(/^otpauth:\/\/totp\/Kith:/)
  const otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
  const code = (steps = 0): string => otp.generate({ timestamp: clock.now + steps * 30_000 })
  // a pending authenticator gates nothing, and a wrong confirmation code changes nothing
  expect(k.totp.enabled).toBe(false)
  await expect(k.totp.confirm(info.id, code(5))).rejects.toThrow(named('TotpConfirmError'))
  expect(k.totp.enabled).toBe(false)
  await k.totp.confirm(info.id, code())
  expect(k.totp.enabled).toBe(true)
  return { id: info.id, secret, code }
}

async function allValues(root: MemoryStorageAdapter): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const [key, value] of root.entries('')) out.push(new TextEncoder().encode(key), value)
  return out
}

const contains = (hay: Uint8Array, needle: Uint8Array): boolean => Buffer.from(hay).includes(Buffer.from(needle))

describe('TOTP at unlock', () => {
  it('a missing or wrong code fails the unlock, keeps the vault locked and counts as a failed attempt', async () => {
    const { k, clock } = await device()
    const { code } = await withTotp(k, clock)
    k.lock()
    await expect(k.unlock({ kind: 'password', password: PASSWORD })).rejects.toThrow(named('SecondFactorRequiredError'))
    expect(k.unlocked).toBe(false)
    expect(k.throttle.failures).toBe(1)
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: '000000' === code() ? '111111' : '000000' })).rejects.toThrow(
      named('WrongSecondFactorError')
    )
    expect(k.unlocked).toBe(false)
    expect(k.throttle.failures).toBe(2)
    // a wrong password with a right code is still a wrong password
    await expect(k.unlock({ kind: 'password', password: 'not the password', totp: code(1) })).rejects.toThrow(named('WrongPasswordError'))
    clock.now += 60_000
    await k.unlock({ kind: 'password', password: PASSWORD, totp: code() })
    expect(k.unlocked).toBe(true)
    expect(k.throttle.failures).toBe(0)
  })

  it('accepts the previous and the next step, each code once; an older step after a newer one is refused', async () => {
    const { k, clock } = await device()
    const { code } = await withTotp(k, clock)
    clock.now += 90_000
    k.lock()
    await k.unlock({ kind: 'password', password: PASSWORD, totp: code(-1) })
    k.lock()
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: code(-1) })).rejects.toThrow(named('WrongSecondFactorError'))
    await k.unlock({ kind: 'password', password: PASSWORD, totp: code(1) })
    k.lock()
    // the current step is older than the one just used
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: code(0) })).rejects.toThrow(named('WrongSecondFactorError'))
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: code(2) })).rejects.toThrow(named('WrongSecondFactorError'))
  })

  it('a used code stays used for a keyring opened again on the same store (the step is persisted)', async () => {
    const { k, open, clock } = await device()
    const { code } = await withTotp(k, clock)
    clock.now += 60_000
    k.lock()
    const used = code()
    await k.unlock({ kind: 'password', password: PASSWORD, totp: used })
    k.lock()
    const again = await open()
    expect(again.totp.enabled).toBe(true)
    await expect(again.unlock({ kind: 'password', password: PASSWORD, totp: used })).rejects.toThrow(named('WrongSecondFactorError'))
    expect(again.throttle.failures).toBe(1)
  })

  it('wrong codes and wrong passwords share one backoff', async () => {
    const { k, clock } = await device()
    const { code } = await withTotp(k, clock)
    clock.now += 60_000
    k.lock()
    await expect(k.unlock({ kind: 'password', password: 'wrong password 1' })).rejects.toThrow(named('WrongPasswordError'))
    await expect(k.unlock({ kind: 'password', password: 'wrong password 2' })).rejects.toThrow(named('WrongPasswordError'))
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: '12345' })).rejects.toThrow(named('WrongSecondFactorError'))
    expect(k.throttle.failures).toBe(3)
    expect(k.throttle.retryAfterMs()).toBeGreaterThan(0)
    await expect(k.unlock({ kind: 'password', password: PASSWORD, totp: code() })).rejects.toThrow(named('ThrottledError'))
    clock.now += 1000
    await k.unlock({ kind: 'password', password: PASSWORD, totp: code() })
  })

  it('a new session on an unlocked keyring needs the code; re-authentication needs the password alone', async () => {
    const { k, clock } = await device()
    const { code } = await withTotp(k, clock)
    clock.now += 60_000
    await expect(k.verify({ kind: 'password', password: PASSWORD }, { secondFactor: true })).rejects.toThrow(
      named('SecondFactorRequiredError')
    )
    await k.verify({ kind: 'password', password: PASSWORD, totp: code() }, { secondFactor: true })
    await k.verify({ kind: 'password', password: PASSWORD })
  })

  it('the gate is removed only while unlocked; the secret is never stored in clear', async () => {
    const { root, k, clock } = await device()
    const { id, secret, code } = await withTotp(k, clock)
    const secretBytes = new Uint8Array(OTPAuth.Secret.fromBase32(secret).buffer)
    for (const value of await allValues(root)) {
      expect(contains(value, secretBytes)).toBe(false)
      expect(contains(value, new TextEncoder().encode(secret))).toBe(false)
    }
    k.lock()
    await expect(k.totp.remove(id)).rejects.toThrow(named('LockedError'))
    clock.now += 60_000
    await k.unlock({ kind: 'password', password: PASSWORD, totp: code() })
    await k.totp.remove(id)
    k.lock()
    await k.unlock({ kind: 'password', password: PASSWORD })
    expect((await k.methodLog.entries()).map(e => `${e.action} ${e.kind}`)).toEqual(['added totp', 'removed totp'])
  })
})

describe('recovery key', () => {
  it('unlocks after the password is forgotten (no code asked), then a new password replaces the old', async () => {
    const { root, k, open, clock } = await device()
    await withTotp(k, clock)
    const { recoveryKey } = await k.methodEditor.addRecoveryKey()
    for (const value of await allValues(root)) {
      expect(contains(value, parseRecoveryKey(recoveryKey))).toBe(false)
      expect(contains(value, new TextEncoder().encode(recoveryKey))).toBe(false)
    }
    k.lock()
    const again = await open()
    await again.unlock({ kind: 'recovery-key', recoveryKey })
    expect(again.needsNewPassword).toBe(true)
    await again.setPasswordAfterRecovery('a brand new password', testKdf.floor)
    expect(again.needsNewPassword).toBe(false)
    again.lock()
    await expect(again.unlock({ kind: 'password', password: PASSWORD, totp: '000000' })).rejects.toThrow(named('WrongPasswordError'))
    await expect(again.unlock({ kind: 'password', password: 'a brand new password' })).rejects.toThrow(named('SecondFactorRequiredError'))
    const actions = (await again.methodLog.entries()).map(e => `${e.action} ${e.kind}`)
    expect(actions).toEqual(['added totp', 'added recovery-key', 'password-set-after-recovery password'])
    for (const entry of await again.methodLog.entries()) expect(JSON.stringify(entry)).not.toContain(recoveryKey)
  })

  it('a wrong recovery key counts toward the backoff; a new password without the recovery key is refused', async () => {
    const { k, open } = await device()
    const { recoveryKey } = await k.methodEditor.addRecoveryKey()
    k.lock()
    const again = await open()
    const wrong = recoveryKey.startsWith('0') ? `1${recoveryKey.slice(1)}` : `0${recoveryKey.slice(1)}`
    await expect(again.unlock({ kind: 'recovery-key', recoveryKey: wrong })).rejects.toThrow(named('WrongPasswordError'))
    expect(again.throttle.failures).toBe(1)
    await again.unlock({ kind: 'password', password: PASSWORD })
    await expect(again.setPasswordAfterRecovery('another new password', testKdf.floor)).rejects.toThrow(named('UnlockMethodError'))
    // proving the recovery key on an unlocked device allows it, as its unlock would
    await again.verify({ kind: 'recovery-key', recoveryKey })
    expect(again.needsNewPassword).toBe(true)
    await again.setPasswordAfterRecovery('another new password', testKdf.floor)
  })
})
