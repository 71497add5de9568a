/**
 * The passkey ceremonies against a software authenticator and a keyring stand-in: challenges are
 * single-use and expire, the origin must be the daemon's own, user verification is required, the
 * signature must be the registered credential's and the counter must move on; only then does the
 * PRF output reach the unlock.
 */
import { describe, expect, it } from 'vitest'
import { ChallengeStore } from '../../daemon/service/ChallengeStore.js'
import { PasskeyService, type PasskeyKeyring, type PasskeyMethodEditor } from '../../daemon/service/PasskeyService.js'
import type { UnlockMethodInfo } from '../../daemon/keyring/UnlockMethods.js'
import type { UnlockRequest } from '../../daemon/keyring/UnlockRequest.js'
import { SoftAuthenticator } from '../helpers/softAuthenticator.js'

const ORIGIN = 'http://localhost:47001'

describe('ChallengeStore', () => {
  it('gives each challenge once: a second take is refused', () => {
    const store = new ChallengeStore<string>()
    const { challenge } = store.issue('a')
    expect(store.take(challenge)).toBe('a')
    expect(() => store.take(challenge)).toThrow(/unknown or was used already/)
  })

  it('refuses a challenge past its lifetime, and forgets it', () => {
    let now = 1_000
    const store = new ChallengeStore<string>({ ttlMs: 120_000, now: () => now })
    const { challenge } = store.issue('a')
    now += 120_000
    expect(() => store.take(challenge)).toThrow(/expired/)
    expect(store.size).toBe(0)
  })

  it('keeps at most a few outstanding: a new one pushes out the oldest', () => {
    const store = new ChallengeStore<number>({ max: 3 })
    const issued = [0, 1, 2, 3].map(n => store.issue(n).challenge)
    expect(store.size).toBe(3)
    expect(() => store.take(issued[0] ?? '')).toThrow(/unknown/)
    expect(store.take(issued[3] ?? '')).toBe(3)
  })

  it('makes 32 random bytes per challenge', () => {
    const store = new ChallengeStore<number>()
    const a = store.issue(1)
    const b = store.issue(2)
    expect(a.bytes.length).toBe(32)
    expect(a.challenge).not.toBe(b.challenge)
    expect(Buffer.from(a.bytes).toString('base64url')).toBe(a.challenge)
  })
})

/** The keyring's unlock-method table in memory; a passkey slot "opens" when the PRF output is the one it was made with. */
function fakeKeyring() {
  const methods: UnlockMethodInfo[] = [
    { id: 'password', kind: 'password', name: 'Master password', createdAt: null, lastUsedAt: null, public: {} }
  ]
  const prfOf = new Map<string, string>()
  let n = 0
  const keyring: PasskeyKeyring = {
    unlocked: true,
    methods: async () => methods.map(m => ({ ...m, public: { ...m.public } }))
  }
  const find = (id: string): UnlockMethodInfo => {
    const m = methods.find(x => x.id === id)
    if (m === undefined) throw new Error(`no method ${id}`)
    return m
  }
  const editor: PasskeyMethodEditor = {
    addPasskey: async ({ name, prfOutput, public: pub, withPassword }) => {
      const info: UnlockMethodInfo = {
        id: `pk${++n}`,
        kind: withPassword === undefined ? 'passkey' : 'password+passkey',
        name: name ?? 'Passkey',
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
        public: pub
      }
      methods.push(info)
      prfOf.set(info.id, Buffer.from(prfOutput).toString('base64url'))
      return info
    },
    remove: async id => {
      const m = find(id)
      methods.splice(methods.indexOf(m), 1)
      return m
    },
    rename: async (id, name) => {
      const m = find(id)
      m.name = name
      return m
    },
    updatePublic: async (id, pub) => {
      find(id).public = pub
    }
  }
  const unlocks: UnlockRequest[] = []
  const session = {
    unlock: async (request: UnlockRequest) => {
      if (request.kind === 'passkey' && prfOf.get(request.methodId) !== Buffer.from(request.prfOutput).toString('base64url'))
        throw Object.assign(new Error('wrong'), { name: 'WrongPasswordError' })
      unlocks.push({ ...request })
    }
  }
  return { keyring, editor, session, unlocks }
}

async function registered(options: { now?: () => number } = {}) {
  const { keyring, editor, session, unlocks } = fakeKeyring()
  const service = new PasskeyService({ keyring, editor, session, deviceId: 'device-a', challenges: { now: options.now } })
  const authenticator = new SoftAuthenticator(ORIGIN)
  const start = await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'Laptop' })
  const created = authenticator.create(start.options as { challenge: string }, start.prfSalt)
  const view = await service.register({ origin: ORIGIN, caller: 'cli' }, created)
  return { service, keyring, unlocks, authenticator, view, credentialId: created.response.id }
}

describe('PasskeyService', () => {
  it('registers a passkey and unlocks with it: the PRF output for the stored salt reaches the unlock', async () => {
    const { service, unlocks, authenticator, view, credentialId } = await registered()
    expect(view).toMatchObject({ name: 'Laptop', kind: 'passkey' })
    const start = await service.unlockOptions()
    expect(start.passwordRequired).toBe(false)
    const salt = start.prfSalts[credentialId] ?? ''
    const answer = authenticator.get(start.options as { challenge: string }, credentialId, salt)
    await service.unlock({ origin: ORIGIN }, answer)
    expect(unlocks).toEqual([expect.objectContaining({ kind: 'passkey', methodId: view.id })])
  })

  it('refuses an answer made for another origin (another localhost port), even with a good signature', async () => {
    const { service, unlocks, authenticator, credentialId } = await registered()
    const start = await service.unlockOptions()
    const answer = authenticator.get(
      start.options as { challenge: string },
      credentialId,
      start.prfSalts[credentialId] ?? '',
      'http://localhost:3000'
    )
    await expect(service.unlock({ origin: ORIGIN }, answer)).rejects.toThrow(/origin/i)
    expect(unlocks).toEqual([])
  })

  it('refuses a registration made on another origin', async () => {
    const fake = fakeKeyring()
    const service = new PasskeyService({ ...fake, deviceId: 'd' })
    const start = await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'x' })
    const created = new SoftAuthenticator('http://localhost:3000').create(start.options as { challenge: string }, start.prfSalt)
    await expect(service.register({ origin: ORIGIN, caller: 'cli' }, created)).rejects.toThrow(/origin/i)
    expect((await service.list()).passkeys).toEqual([])
  })

  it('refuses a replayed answer: the challenge was used', async () => {
    const { service, unlocks, authenticator, credentialId } = await registered()
    const start = await service.unlockOptions()
    const answer = authenticator.get(start.options as { challenge: string }, credentialId, start.prfSalts[credentialId] ?? '')
    await service.unlock({ origin: ORIGIN }, answer)
    await expect(service.unlock({ origin: ORIGIN }, answer)).rejects.toMatchObject({ name: 'ChallengeError' })
    expect(unlocks).toHaveLength(1)
  })

  it('refuses an answer after the challenge expired', async () => {
    let now = 1_000_000
    const { service, unlocks, authenticator, credentialId } = await registered({ now: () => now })
    const start = await service.unlockOptions()
    now += 121_000
    const answer = authenticator.get(start.options as { challenge: string }, credentialId, start.prfSalts[credentialId] ?? '')
    await expect(service.unlock({ origin: ORIGIN }, answer)).rejects.toThrow(/expired/)
    expect(unlocks).toEqual([])
  })

  it('refuses an answer without user verification', async () => {
    const { service, unlocks, authenticator, credentialId } = await registered()
    authenticator.userVerified = false
    const start = await service.unlockOptions()
    const answer = authenticator.get(start.options as { challenge: string }, credentialId, start.prfSalts[credentialId] ?? '')
    await expect(service.unlock({ origin: ORIGIN }, answer)).rejects.toMatchObject({ name: 'PasskeyRefusedError' })
    expect(unlocks).toEqual([])
  })

  it('refuses a credential of another authenticator, and one that claims a registered id but signs with another key', async () => {
    const { service, unlocks, credentialId } = await registered()
    const stranger = new SoftAuthenticator(ORIGIN)
    const own = stranger.create({ challenge: 'AAAA' }, 'AAAA').response.id
    const start = await service.unlockOptions()
    await expect(
      service.unlock({ origin: ORIGIN }, stranger.get(start.options as { challenge: string }, own, 'AAAA'))
    ).rejects.toMatchObject({
      name: 'PasskeyRefusedError'
    })
    // the stranger's key under the registered credential's id: the signature does not verify
    const theirs = stranger.credentials.get(own)
    if (theirs === undefined) throw new Error('no credential')
    stranger.credentials.set(credentialId, theirs)
    const again = await service.unlockOptions()
    const forged = stranger.get(again.options as { challenge: string }, credentialId, again.prfSalts[credentialId] ?? '')
    await expect(service.unlock({ origin: ORIGIN }, forged)).rejects.toMatchObject({ name: 'PasskeyRefusedError' })
    expect(unlocks).toEqual([])
  })

  it('keeps the signature counter and refuses an answer whose counter went back (a cloned authenticator)', async () => {
    const { service, keyring, authenticator, credentialId } = await registered()
    const first = await service.unlockOptions()
    await service.unlock(
      { origin: ORIGIN },
      authenticator.get(first.options as { challenge: string }, credentialId, first.prfSalts[credentialId] ?? '')
    )
    const stored = (await keyring.methods()).find(m => m.public.credentialId === credentialId)
    expect(stored?.public.counter).toBe(1)
    const cred = authenticator.credentials.get(credentialId)
    if (cred !== undefined) cred.counter = 0
    const second = await service.unlockOptions()
    const cloned = authenticator.get(second.options as { challenge: string }, credentialId, second.prfSalts[credentialId] ?? '')
    await expect(service.unlock({ origin: ORIGIN }, cloned)).rejects.toMatchObject({ name: 'PasskeyRefusedError' })
  })

  it('keeps the counter of a genuine assertion even when its PRF output does not open the slot', async () => {
    const { service, keyring, unlocks, authenticator, credentialId } = await registered()
    const start = await service.unlockOptions()
    const answer = authenticator.get(start.options as { challenge: string }, credentialId, start.prfSalts[credentialId] ?? '')
    await expect(
      service.unlock({ origin: ORIGIN }, { ...answer, prfOutput: Buffer.alloc(32, 1).toString('base64url') })
    ).rejects.toMatchObject({
      name: 'WrongPasswordError'
    })
    expect(unlocks).toEqual([])
    expect((await keyring.methods()).find(m => m.public.credentialId === credentialId)?.public.counter).toBe(1)
  })

  it('refuses a registration answer from another caller than the one that asked, and one without a PRF output', async () => {
    const fake = fakeKeyring()
    const service = new PasskeyService({ ...fake, deviceId: 'd' })
    const authenticator = new SoftAuthenticator(ORIGIN)
    const start = await service.registrationOptions({ origin: ORIGIN, caller: 'session:a' }, { name: 'x' })
    const created = authenticator.create(start.options as { challenge: string }, start.prfSalt)
    await expect(service.register({ origin: ORIGIN, caller: 'session:b' }, created)).rejects.toMatchObject({ name: 'PasskeyRefusedError' })
    const again = await service.registrationOptions({ origin: ORIGIN, caller: 'session:a' }, { name: 'x' })
    const noPrf = { ...authenticator.create(again.options as { challenge: string }, again.prfSalt), prfOutput: undefined }
    await expect(service.register({ origin: ORIGIN, caller: 'session:a' }, noPrf)).rejects.toMatchObject({ name: 'PrfUnsupportedError' })
    expect((await service.list()).passkeys).toEqual([])
  })

  it('asking for unlock options again and again (public) never pushes out a registration under way', async () => {
    const fake = fakeKeyring()
    const service = new PasskeyService({ ...fake, deviceId: 'd' })
    const authenticator = new SoftAuthenticator(ORIGIN)
    const start = await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'Laptop' })
    const first = await service.register(
      { origin: ORIGIN, caller: 'cli' },
      authenticator.create(
        (await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'Spare' })).options as { challenge: string },
        'AAAA'
      )
    )
    expect(first.name).toBe('Spare')
    for (let i = 0; i < 20; i++) await service.unlockOptions()
    const created = authenticator.create(start.options as { challenge: string }, start.prfSalt)
    expect((await service.register({ origin: ORIGIN, caller: 'cli' }, created)).name).toBe('Laptop')
  })

  it('a password-and-passkey slot needs the password with the passkey', async () => {
    const { unlocks, ...fake } = fakeKeyring()
    const service = new PasskeyService({ ...fake, deviceId: 'd' })
    const authenticator = new SoftAuthenticator(ORIGIN)
    const start = await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'Key', withPassword: true })
    const created = authenticator.create(start.options as { challenge: string }, start.prfSalt)
    await expect(service.register({ origin: ORIGIN, caller: 'cli' }, created)).rejects.toMatchObject({
      name: 'PasskeyPasswordRequiredError'
    })
    const again = await service.registrationOptions({ origin: ORIGIN, caller: 'cli' }, { name: 'Key', withPassword: true })
    const made = authenticator.create(again.options as { challenge: string }, again.prfSalt)
    const view = await service.register({ origin: ORIGIN, caller: 'cli' }, { ...made, password: 'correct horse battery staple' })
    expect(view.kind).toBe('password+passkey')
    const unlock = await service.unlockOptions()
    expect(unlock.passwordRequired).toBe(true)
    const id = made.response.id
    const answer = authenticator.get(unlock.options as { challenge: string }, id, unlock.prfSalts[id] ?? '')
    await expect(service.unlock({ origin: ORIGIN }, answer)).rejects.toMatchObject({ name: 'PasskeyPasswordRequiredError' })
    const next = await service.unlockOptions()
    const both = authenticator.get(next.options as { challenge: string }, id, next.prfSalts[id] ?? '')
    await service.unlock({ origin: ORIGIN }, { ...both, password: 'correct horse battery staple', totp: '123456' })
    // the authenticator app's code goes with the password (the keyring's TOTP gate checks it)
    expect(unlocks).toEqual([
      expect.objectContaining({ kind: 'password+passkey', password: 'correct horse battery staple', totp: '123456' })
    ])
  })
})
