/**
 * `kith destroy` on two real daemons (child processes, 127.0.0.1, --no-mdns): the destroyed device
 * removes itself from the roster through its paired device, which lists it no more and rotates the
 * vault key; a copy of its data directory brought back gets nothing. With the other device offline
 * the erase still happens and the output says how to remove the device from another one.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByApi, until, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import type { DeviceJson } from '../../daemon/api/ports.js'

const started: TestDaemon[] = []
afterAll(async () => {
  for (const d of started) await d.destroy()
})

async function pairedDaemons(): Promise<{ a: TestDaemon; b: TestDaemon; bId: string }> {
  const [a, b] = await daemons(2)
  started.push(a, b)
  await a.init()
  await pairByApi(a, b)
  const bId = (await b.api('GET', '/api/status')).body.deviceId as string
  await until(async () => ((await a.api('GET', '/api/devices')).body as DeviceJson[]).find(d => d.id === bId)?.online, 'B online on A')
  return { a, b, bId }
}

describe('kith destroy and the device roster', () => {
  it('B destroys itself: A no longer lists it, rotates the vault key, and a copy of B brought back gets nothing', async () => {
    const { a, b, bId } = await pairedDaemons()
    // a copy of B's data directory, as a thief or a backup would keep it
    await b.stop()
    const copyHome = await mkdtemp(join(tmpdir(), 'kith-test-'))
    await cp(b.home, copyHome, { recursive: true })
    await rm(join(copyHome, 'daemon.json'), { force: true })
    await b.start()
    expect((await b.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    await until(async () => ((await a.api('GET', '/api/devices')).body as DeviceJson[]).find(d => d.id === bId)?.online, 'B back on A')

    const destroy = await b.kith(['destroy', '--yes', '--json'])
    expect(destroy.code).toBe(0)
    const out = JSON.parse(destroy.stdout)
    expect(out).toMatchObject({
      destroyed: true,
      removedFromRoster: true,
      acknowledgedBy: [(await a.api('GET', '/api/status')).body.deviceId],
      hint: null
    })
    expect(out.keyRecords).toBeGreaterThan(0)

    const list = await a.kith(['devices', '--json'])
    expect(list.code).toBe(0)
    expect((JSON.parse(list.stdout) as DeviceJson[]).map(d => d.id)).not.toContain(bId)
    await until(
      async () => (await a.log()).includes(`${bId.slice(0, 12)}… removed itself from the roster; rotated 1 vault key(s)`),
      'the rotation on A'
    )

    const secret = await a.api('POST', '/api/items', { title: 'after B left', password: 'new secret' })
    const copy = new TestDaemon(copyHome)
    started.push(copy)
    await copy.start()
    expect((await copy.api('POST', '/api/unlock', { password: JOIN_PASSWORD })).status).toBe(200)
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(await itemOn(copy, secret.body.id)).toBeUndefined()
    // the copy is let in once, only to be handed the records that removed B, and then says so
    await until(async () => (await copy.api('GET', '/api/status')).body.removed !== null, 'the copy to learn that B was removed')
    expect((await copy.api('GET', '/api/status')).body.removed.message).toContain('This device removed itself from the roster')
    expect(await a.log()).toContain(`told ${bId.slice(0, 12)}`)
  })

  it('with A offline, B is still erased and the output says to remove it from another device', async () => {
    const { a, b, bId } = await pairedDaemons()
    await a.stop()
    const destroy = await b.kith(['destroy', '--yes'])
    expect(destroy.code).toBe(0)
    expect(destroy.stdout).toMatch(/^destroyed: \d+ key records?/)
    expect(destroy.stdout).toContain(`note: no paired device was reachable and unlocked to acknowledge the removal`)
    expect(destroy.stdout).toContain(`kith devices revoke ${bId.slice(0, 12)}`)
    await a.start()
    expect((await a.api('POST', '/api/unlock', { password: 'correct horse battery staple' })).status).toBe(200)
    const list = JSON.parse((await a.kith(['devices', '--json'])).stdout) as DeviceJson[]
    expect(list.map(d => d.id)).toContain(bId)
  })
})
