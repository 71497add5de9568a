/**
 * /api/passkeys over the real keyring (memory storage), with a software authenticator: the unlock
 * ceremony only from the dashboard origin, adding a passkey only after a recent proof, a passkey
 * unlock of a locked device, and replayed or expired answers refused at the HTTP edge.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { inProcessApp, PORT } from '../helpers/inProcessApp.js'
import { SoftAuthenticator } from '../helpers/softAuthenticator.js'

const ORIGIN = `http://localhost:${PORT}`
const FROM_PAGE = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' }

const errorCode = async (res: Response): Promise<string> => ((await res.json()) as { error: { code: string } }).error.code

interface Options {
  options: { challenge: string }
  prfSalt: string
}
interface UnlockOptions {
  options: { challenge: string }
  prfSalts: Record<string, string>
  passwordRequired: boolean
}

async function withPasskey() {
  const app = await inProcessApp()
  expect((await app.reauthenticate()).status).toBe(200)
  const authenticator = new SoftAuthenticator(ORIGIN)
  const start = (await (
    await app.request('POST', '/api/passkeys/register/options', { headers: FROM_PAGE, body: { name: 'Laptop' } })
  ).json()) as Options
  const created = authenticator.create(start.options, start.prfSalt)
  const res = await app.request('POST', '/api/passkeys/register', { headers: FROM_PAGE, body: created })
  expect(res.status).toBe(201)
  return { ...app, authenticator, credentialId: created.response.id }
}

async function unlockAnswer(app: Awaited<ReturnType<typeof withPasskey>>) {
  const res = await app.request('POST', '/api/passkeys/unlock/options', { headers: { ...FROM_PAGE, authorization: '' } })
  expect(res.status).toBe(200)
  const start = (await res.json()) as UnlockOptions
  return app.authenticator.get(start.options, app.credentialId, start.prfSalts[app.credentialId] ?? '')
}

afterEach(() => {
  vi.useRealTimers()
})

describe('/api/passkeys', () => {
  it('runs the unlock ceremony only for the dashboard origin, and offers nothing when there is no passkey', async () => {
    const { request } = await inProcessApp()
    const noOrigin = await request('POST', '/api/passkeys/unlock/options', { headers: { authorization: '' } })
    expect(noOrigin.status).toBe(403)
    expect(await errorCode(noOrigin)).toBe('dashboard_only')
    const otherPort = await request('POST', '/api/passkeys/unlock/options', {
      headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site', authorization: '' }
    })
    expect(otherPort.status).toBe(403)
    expect(JSON.stringify(await otherPort.json())).not.toContain('prfSalts')
    const none = await request('POST', '/api/passkeys/unlock/options', { headers: { ...FROM_PAGE, authorization: '' } })
    expect(none.status).toBe(200)
    expect(await none.json()).toEqual({ options: null, prfSalts: {}, passwordRequired: false })
  })

  it('adds a passkey only after a recent proof of the password', async () => {
    const { request } = await inProcessApp()
    const res = await request('POST', '/api/passkeys/register/options', { headers: FROM_PAGE, body: { name: 'Laptop' } })
    expect(res.status).toBe(403)
    expect(await errorCode(res)).toBe('reauthentication_required')
  })

  it('unlocks a locked device with the passkey alone, and lists it with its last use', async () => {
    const app = await withPasskey()
    await app.request('POST', '/api/lock')
    expect(app.service.unlocked).toBe(false)
    const answer = await unlockAnswer(app)
    const res = await app.request('POST', '/api/passkeys/unlock', { headers: { ...FROM_PAGE, authorization: '' }, body: answer })
    expect(res.status).toBe(200)
    expect(app.service.unlocked).toBe(true)
    const list = (await (await app.request('GET', '/api/passkeys')).json()) as { passkeys: Array<{ name: string; lastUsedAt: unknown }> }
    expect(list.passkeys).toEqual([expect.objectContaining({ name: 'Laptop' })])
    expect(list.passkeys[0]?.lastUsedAt).not.toBeNull()
  })

  it('refuses a replayed answer: the challenge is single-use', async () => {
    const app = await withPasskey()
    await app.request('POST', '/api/lock')
    const answer = await unlockAnswer(app)
    expect((await app.request('POST', '/api/passkeys/unlock', { headers: { ...FROM_PAGE, authorization: '' }, body: answer })).status).toBe(
      200
    )
    await app.request('POST', '/api/lock')
    const replay = await app.request('POST', '/api/passkeys/unlock', { headers: { ...FROM_PAGE, authorization: '' }, body: answer })
    expect(replay.status).toBe(400)
    expect(await errorCode(replay)).toBe('challenge_refused')
    expect(app.service.unlocked).toBe(false)
  })

  it('refuses an answer given after its challenge expired (2 minutes)', async () => {
    const app = await withPasskey()
    await app.request('POST', '/api/lock')
    vi.useFakeTimers({ toFake: ['Date'] })
    const answer = await unlockAnswer(app)
    vi.setSystemTime(Date.now() + 121_000)
    const late = await app.request('POST', '/api/passkeys/unlock', { headers: { ...FROM_PAGE, authorization: '' }, body: answer })
    expect(late.status).toBe(400)
    expect(await errorCode(late)).toBe('challenge_refused')
    expect(app.service.unlocked).toBe(false)
  })

  it('a wrong PRF output does not unlock and counts as a failed unlock', async () => {
    const app = await withPasskey()
    await app.request('POST', '/api/lock')
    const answer = await unlockAnswer(app)
    const wrong = { ...answer, prfOutput: Buffer.alloc(32, 7).toString('base64url') }
    const res = await app.request('POST', '/api/passkeys/unlock', { headers: { ...FROM_PAGE, authorization: '' }, body: wrong })
    expect(res.status).toBe(401)
    expect(await errorCode(res)).toBe('wrong_password')
    expect(app.service.unlocked).toBe(false)
  })
})
