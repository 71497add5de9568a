/** SyncEngine over a MemoryNetwork with stub ports: one session per pair, live relay, the roster as the door, redial. */
import { afterEach, describe, it, expect } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { MessageTrace } from './helpers/messageTrace.js'
import { EngineDevice, until } from './helpers/stubDevice.js'
import { vaultIdFor } from './helpers/stubPorts.js'

const personal = vaultIdFor('personal')
const started: EngineDevice[] = []

afterEach(async () => {
  await Promise.all(
    started.splice(0).map(async d => {
      await d.stop()
    })
  )
})

async function devices(names: string[], members = names): Promise<{ trace: MessageTrace; net: MemoryNetwork; all: EngineDevice[] }> {
  const trace = new MessageTrace()
  trace.label(personal, 'personal')
  const net = new MemoryNetwork()
  const all = names.map(name => new EngineDevice(name, members, net, trace))
  for (const d of all) d.addVault(personal)
  return { trace, net, all }
}

async function start(...all: EngineDevice[]): Promise<void> {
  for (const d of all) {
    started.push(d)
    await d.start()
  }
}

const held = (d: EngineDevice, author: EngineDevice): number => d.vaults.get(personal)?.vector().get(author.id) ?? 0

describe('SyncEngine', () => {
  it('two devices that dial each other at once keep one session, the same one on both sides, and catch up', async () => {
    const {
      trace,
      all: [laptop, phone]
    } = await devices(['laptop', 'phone'])
    if (laptop === undefined || phone === undefined) throw new Error('two devices')
    laptop.vaults.get(personal)?.append(laptop.id, 5)
    phone.vaults.get(personal)?.append(phone.id, 2)
    await Promise.all([start(laptop), start(phone)])

    expect(await laptop.engine.whenCaughtUp(phone.id, [personal], 3000)).toBe(true)
    expect(await phone.engine.whenCaughtUp(laptop.id, [personal], 3000)).toBe(true)
    await until(() => held(phone, laptop) === 5 && held(laptop, phone) === 2, 'both logs on both devices')
    // both dialled: two sessions opened, and one of them was closed as a duplicate
    expect(trace.lines({ from: 'laptop' }).filter(l => l.includes('HELLO'))).toHaveLength(2)
    await until(() => trace.lines().some(l => l.includes('BYE Duplicate')), 'the duplicate to close')
    expect(laptop.engine.connected()).toEqual([phone.id])
    expect(phone.engine.connected()).toEqual([laptop.id])
    expect(laptop.engine.session(phone.id)?.initiator).toBe(phone.engine.session(laptop.id)?.initiator)
    expect([...laptop.warnings(), ...phone.warnings()]).toEqual([])
  })

  it('relays a live envelope through a device in the middle to one it cannot reach', async () => {
    const {
      trace,
      net,
      all: [laptop, desktop, phone]
    } = await devices(['laptop', 'desktop', 'phone'])
    if (laptop === undefined || desktop === undefined || phone === undefined) throw new Error('three devices')
    await net.partition(laptop.id, phone.id)
    await start(laptop, desktop, phone)
    await until(
      () => laptop.engine.connected().length === 1 && phone.engine.connected().length === 1 && desktop.engine.connected().length === 2,
      'a line: laptop - desktop - phone'
    )
    expect(await desktop.engine.whenCaughtUp(phone.id, [personal], 3000)).toBe(true)
    expect(await desktop.engine.whenCaughtUp(laptop.id, [personal], 3000)).toBe(true)
    const before = trace.frames.length

    laptop.write(personal, 1)
    await until(() => held(phone, laptop) === 1, 'the envelope to reach the phone')
    expect(trace.lines().slice(before)).toEqual([
      'laptop -> desktop | ENVELOPES personal laptop#1',
      'desktop -> phone | ENVELOPES personal laptop#1'
    ])
  })

  it('refuses a session from a device off its roster', async () => {
    const {
      all: [laptop, stranger]
    } = await devices(['laptop', 'stranger'], ['laptop'])
    if (laptop === undefined || stranger === undefined) throw new Error('two devices')
    stranger.roster.write(laptop.id)
    await start(laptop, stranger)
    await until(() => laptop.logs.some(l => l.message.includes('refused a session')), 'the refusal')
    expect(laptop.engine.connected()).toEqual([])
    expect(held(stranger, laptop)).toBe(0)
  })

  it('ends the session of a device removed from the roster with BYE NotOnRoster, and does not redial it', async () => {
    const {
      trace,
      all: [laptop, phone]
    } = await devices(['laptop', 'phone'])
    if (laptop === undefined || phone === undefined) throw new Error('two devices')
    await start(laptop, phone)
    await until(() => laptop.engine.isOnline(phone.id), 'the session')
    laptop.roster.remove(phone.id, personal, 0)
    laptop.engine.onRosterChanged()
    await until(() => !laptop.engine.isOnline(phone.id) && !phone.engine.isOnline(laptop.id), 'the session to end')
    expect(trace.lines({ from: 'laptop' })).toContain('laptop -> phone | BYE NotOnRoster "removed from the device roster"')
    await new Promise(resolve => setTimeout(resolve, 150))
    expect(laptop.engine.connected()).toEqual([])
  })

  it('redials after the link comes back, and sends what was written meanwhile', async () => {
    const {
      net,
      all: [laptop, phone]
    } = await devices(['laptop', 'phone'])
    if (laptop === undefined || phone === undefined) throw new Error('two devices')
    await start(laptop, phone)
    await until(() => laptop.engine.isOnline(phone.id), 'the session')
    await net.partition(laptop.id, phone.id)
    await until(() => !laptop.engine.isOnline(phone.id), 'the session to end')
    laptop.write(personal, 3)
    await new Promise(resolve => setTimeout(resolve, 60))
    expect(held(phone, laptop)).toBe(0)
    net.heal(laptop.id, phone.id)
    await until(() => held(phone, laptop) === 3, 'the writes made while apart')
    expect(laptop.engine.isOnline(phone.id)).toBe(true)
  })
})
