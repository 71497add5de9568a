/** One SyncSession per device over an in-memory stream with stub ports: what each side sends, and when it stops. */
import { describe, it, expect } from 'vitest'
import {
  ByeReason,
  encodeMessage,
  encodePart,
  INITIAL_WINDOW,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MsgType,
  PROTOCOL_VERSION
} from '../../daemon/sync/messages.js'
import { SyncSession } from '../../daemon/sync/SyncSession.js'
import { MessageTrace, tracedStreamPair } from './helpers/messageTrace.js'
import { connectSessions, RawPeer, StubDevice, until } from './helpers/stubDevice.js'
import { fakeEnvelope, vaultIdFor } from './helpers/stubPorts.js'

const personal = vaultIdFor('personal')

function twoDevices(): { trace: MessageTrace; laptop: StubDevice; phone: StubDevice } {
  const trace = new MessageTrace()
  trace.label(personal, 'personal')
  const laptop = new StubDevice('laptop', ['laptop', 'phone'], trace)
  const phone = new StubDevice('phone', ['laptop', 'phone'], trace)
  laptop.vaults.add(personal)
  phone.vaults.add(personal)
  return { trace, laptop, phone }
}

const bothCaughtUp = (laptop: StubDevice, phone: StubDevice) => async () => {
  await until(() => laptop.caughtUp.length > 0 && phone.caughtUp.length > 0, 'both sides to send CAUGHT_UP')
}

const seqs = (d: StubDevice, author: StubDevice): number[] =>
  d.vaults
    .get(personal)
    ?.received.filter(r => r.author === author.id)
    .map(r => r.seq) ?? []

describe('SyncSession: handshake and catch-up', () => {
  it('HELLO both ways, then the roster records and grants the peer lacks, one VAULT vector per vault, the missing envelopes and CAUGHT_UP', async () => {
    const { trace, laptop, phone } = twoDevices()
    laptop.vaults.get(personal)?.append(laptop.id, 3)
    laptop.roster.write(laptop.id)
    laptop.grants.held.set(phone.id, [new Uint8Array(40)])
    const s = await connectSessions(laptop, phone, trace)
    await bothCaughtUp(laptop, phone)()
    await s.a.close(ByeReason.Done)
    await s.ended

    expect(trace.toString()).toBe(
      [
        'laptop -> phone | HELLO v2 roster={laptop:2 phone:1}',
        'phone -> laptop | HELLO v2 roster={laptop:1 phone:1}',
        'laptop -> phone | ROSTER 1 record(s)',
        'phone -> laptop | VAULT personal {}',
        'laptop -> phone | GRANTS 1',
        'laptop -> phone | VAULT personal {laptop:3}',
        'laptop -> phone | ENVELOPES personal laptop#1..3',
        'laptop -> phone | CAUGHT_UP personal',
        'phone -> laptop | CAUGHT_UP personal',
        'laptop -> phone | BYE Done',
        'phone -> laptop | BYE Done'
      ].join('\n')
    )
    expect(phone.roster.vector().get(laptop.id)).toBe(2)
    expect(phone.grants.received).toEqual([{ from: laptop.id, count: 1 }])
    expect(seqs(phone, laptop)).toEqual([1, 2, 3])
    expect([...phone.caughtUp, ...laptop.caughtUp].map(c => c.vaultId)).toEqual([personal, personal])
  })

  it('sends only what the peer lacks, per author in seq order, at most 256 envelopes a message', async () => {
    const { trace, laptop, phone } = twoDevices()
    const onLaptop = laptop.vaults.get(personal)
    const onPhone = phone.vaults.get(personal)
    onLaptop?.append(laptop.id, 600)
    onLaptop?.append(phone.id, 2)
    onPhone?.append(laptop.id, 40)
    onPhone?.append(phone.id, 3)
    const s = await connectSessions(laptop, phone, trace)
    await bothCaughtUp(laptop, phone)()

    expect(trace.messages({ from: 'laptop' }).filter(l => l.includes('ENVELOPES'))).toEqual([
      'laptop -> phone | ENVELOPES personal laptop#41..296',
      'laptop -> phone | ENVELOPES personal laptop#297..552',
      'laptop -> phone | ENVELOPES personal laptop#553..600'
    ])
    expect(trace.messages({ from: 'phone' }).filter(l => l.includes('ENVELOPES'))).toEqual(['phone -> laptop | ENVELOPES personal phone#3'])
    expect(seqs(phone, laptop)).toEqual(Array.from({ length: 560 }, (_, i) => 41 + i))
    expect(onLaptop?.vector()).toEqual(onPhone?.vector())
    await s.a.close(ByeReason.Done)
    await s.ended
  })

  it('pushes a new envelope live once the peer is caught up; one offered past a gap sends the gap first', async () => {
    const { trace, laptop, phone } = twoDevices()
    const onLaptop = laptop.vaults.get(personal)
    onLaptop?.append(laptop.id, 3)
    const s = await connectSessions(laptop, phone, trace)
    await bothCaughtUp(laptop, phone)()
    const before = trace.frames.length

    const [fourth] = onLaptop?.append(laptop.id, 1) ?? []
    s.a.offer(personal, laptop.id, 4, fourth as Uint8Array)
    s.a.offer(personal, laptop.id, 4, fourth as Uint8Array)
    await until(() => seqs(phone, laptop).length === 4, 'the live envelope')
    const [, sixth] = onLaptop?.append(laptop.id, 2) ?? []
    s.a.offer(personal, laptop.id, 6, sixth as Uint8Array)
    await until(() => seqs(phone, laptop).length === 6, 'the gap and the offered envelope')

    expect(trace.messages({ from: 'laptop' }).slice(-2)).toEqual([
      'laptop -> phone | ENVELOPES personal laptop#4',
      'laptop -> phone | ENVELOPES personal laptop#5..6'
    ])
    expect(trace.frames.slice(before).filter(f => f.from === 'laptop')).toHaveLength(2)
    expect(seqs(phone, laptop)).toEqual([1, 2, 3, 4, 5, 6])
    await s.a.close(ByeReason.Done)
    await s.ended
  })

  it('sends a snapshot when the envelopes the peer needs were compacted away, then the envelopes after it', async () => {
    const { trace, laptop, phone } = twoDevices()
    const onLaptop = laptop.vaults.get(personal)
    onLaptop?.append(laptop.id, 10)
    onLaptop?.compact(laptop.id, new Map([[laptop.id, 7]]))
    const s = await connectSessions(laptop, phone, trace)
    await bothCaughtUp(laptop, phone)()

    expect(trace.messages({ from: 'laptop' })).toEqual([
      'laptop -> phone | HELLO v2 roster={laptop:1 phone:1}',
      'laptop -> phone | VAULT personal {laptop:10}',
      'laptop -> phone | SNAPSHOT personal by laptop {laptop:7}',
      'laptop -> phone | ENVELOPES personal laptop#8..10',
      'laptop -> phone | CAUGHT_UP personal'
    ])
    expect(phone.vaults.get(personal)?.vector()).toEqual(new Map([[laptop.id, 10]]))
    expect(seqs(phone, laptop)).toEqual([8, 9, 10])
    await s.a.close(ByeReason.Done)
    await s.ended
  })

  it('sends no snapshot to a peer that lacks only envelopes still held', async () => {
    const { trace, laptop, phone } = twoDevices()
    laptop.vaults.get(personal)?.append(laptop.id, 10)
    laptop.vaults.get(personal)?.compact(laptop.id, new Map([[laptop.id, 7]]))
    phone.vaults.get(personal)?.append(laptop.id, 7)
    const s = await connectSessions(laptop, phone, trace)
    await bothCaughtUp(laptop, phone)()
    expect(trace.messages({ from: 'laptop' }).filter(l => /SNAPSHOT|ENVELOPES/.test(l))).toEqual([
      'laptop -> phone | ENVELOPES personal laptop#8..10'
    ])
    await s.a.close(ByeReason.Done)
    await s.ended
  })
})

describe('SyncSession: credit flow control', () => {
  it('a sender stops once it has used the initial window, and resumes when the receiver returns credit', async () => {
    const { trace, laptop, phone } = twoDevices()
    laptop.vaults.get(personal)?.append(laptop.id, 100, 64 * 1024)
    const onPhone = phone.vaults.get(personal)
    let openDisk!: () => void
    if (onPhone !== undefined)
      onPhone.gate = new Promise(resolve => {
        openDisk = resolve
      })
    const s = await connectSessions(laptop, phone, trace)

    // the phone's disk is stuck: it consumes nothing, so it returns no credit
    const sent = (): number =>
      trace.frames.filter(f => f.from === 'laptop' && f.type !== MsgType.Credit && f.type !== MsgType.Bye).reduce((n, f) => n + f.bytes, 0)
    await until(() => s.a.channel.backlog > 0, 'the laptop to queue more than it may send')
    let last = -1
    while (last !== sent()) {
      last = sent()
      await new Promise(resolve => setTimeout(resolve, 30))
    }
    expect(sent()).toBeLessThanOrEqual(INITIAL_WINDOW)
    expect(sent()).toBeGreaterThan(INITIAL_WINDOW - 200 * 1024)
    expect(trace.lines({ from: 'phone' }).some(l => l.includes('CREDIT'))).toBe(false)
    expect(seqs(phone, laptop)).toEqual([])

    if (onPhone !== undefined) onPhone.gate = undefined
    openDisk()
    await bothCaughtUp(laptop, phone)()
    expect(seqs(phone, laptop)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(trace.lines({ from: 'phone' }).filter(l => l.includes('CREDIT')).length).toBeGreaterThan(0)
    expect(sent()).toBeGreaterThan(100 * 64 * 1024)
    expect(laptop.warnings()).toEqual([])
    await s.a.close(ByeReason.Done)
    await s.ended
  })
})

describe('SyncSession: a peer that breaks the protocol', () => {
  const hello = (d: StubDevice) =>
    encodeMessage({ type: MsgType.Hello, version: PROTOCOL_VERSION, deviceId: d.id, addrs: [], roster: new Map() })
  const vault = encodeMessage({ type: MsgType.Vault, vaultId: personal, heads: [], replyWanted: false })
  const other = vaultIdFor('elsewhere')

  const cases: Array<{
    what: string
    frames: (d: { laptop: StubDevice; phone: StubDevice }) => Uint8Array[]
    error: string
    message: RegExp
    bye: boolean
  }> = [
    {
      what: 'garbage',
      frames: () => [Uint8Array.of(MsgType.Vault, 1, 2, 3)],
      error: 'ProtocolError',
      message: /malformed message/,
      bye: true
    },
    {
      what: 'an unknown message type',
      frames: () => [Uint8Array.of(0x55, 0, 0)],
      error: 'ProtocolError',
      message: /unknown message type 0x55/,
      bye: true
    },
    { what: 'an empty frame', frames: () => [new Uint8Array(0)], error: 'ProtocolError', message: /empty frame/, bye: true },
    {
      what: 'a frame over the size limit',
      frames: () => [new Uint8Array(MAX_FRAME_BYTES + 65).fill(MsgType.Envelopes)],
      error: 'FrameLimitError',
      message: /frame over the limit/,
      bye: false
    },
    {
      what: 'a message over the size limit',
      frames: () => [encodePart(MsgType.Snapshot, MAX_MESSAGE_BYTES + 1, 0, new Uint8Array(16))],
      error: 'ProtocolError',
      message: /exceeds the \d+-byte limit/,
      bye: true
    },
    { what: 'a second HELLO', frames: ({ phone }) => [hello(phone)], error: 'ProtocolError', message: /a second HELLO/, bye: true },
    {
      what: 'an envelope that skips a seq',
      frames: ({ phone }) => [vault, encodeMessage({ type: MsgType.Envelopes, envelopes: [fakeEnvelope(personal, phone.id, 2)] })],
      error: 'RejectedEnvelopeError',
      message: /seq 2 skips ahead of 0/,
      bye: true
    },
    {
      what: 'an envelope for a vault never announced',
      frames: ({ phone }) => [encodeMessage({ type: MsgType.Envelopes, envelopes: [fakeEnvelope(other, phone.id, 1)] })],
      error: 'ProtocolError',
      message: /a vault this device did not announce/,
      bye: true
    },
    {
      what: 'an envelope a removed device wrote after its removal',
      frames: ({ laptop, phone }) => {
        laptop.roster.remove(phone.id, personal, 1)
        return [
          encodeMessage({ type: MsgType.Envelopes, envelopes: [fakeEnvelope(personal, phone.id, 1), fakeEnvelope(personal, phone.id, 2)] })
        ]
      },
      error: 'ProtocolError',
      message: /envelope 2 by removed device .* was written after its removal/,
      bye: true
    }
  ]

  it.each(cases)('$what ends the session with $error', async ({ frames, error, message, bye }) => {
    const { trace, laptop, phone } = twoDevices()
    const streams = await tracedStreamPair(laptop.id, phone.id, trace)
    const session = new SyncSession(streams.a, laptop.id, laptop.context())
    const running = session.run()
    const raw = new RawPeer(streams.b)
    await raw.sendBytes(hello(phone))
    for (const frame of frames({ laptop, phone })) await raw.sendBytes(frame).catch(() => {})
    await running

    expect(session.closed).toBe(true)
    const warning = laptop.warnings().find(w => w.includes(`(${error}: `))
    expect(warning, laptop.warnings().join('\n')).toMatch(message)
    expect(warning).toMatch(/closing the session, nothing from it was stored/)
    expect(laptop.vaults.get(personal)?.received.filter(r => r.seq > 1)).toEqual([])
    const last = trace.lines({ from: 'laptop' }).at(-1) ?? ''
    if (bye) expect(last).toMatch(new RegExp(`^laptop -> phone \\| BYE ProtocolError ".*${message.source}`))
    else expect(last).not.toMatch(/BYE/)
  })

  it('a HELLO naming another device than the authenticated one ends the session before anything else is sent', async () => {
    const { trace, laptop, phone } = twoDevices()
    const streams = await tracedStreamPair(laptop.id, phone.id, trace)
    const session = new SyncSession(streams.a, laptop.id, laptop.context())
    const running = session.run()
    await new RawPeer(streams.b).sendBytes(hello(new StubDevice('intruder', [], trace)))
    await running
    expect(trace.lines({ from: 'laptop' })).toEqual([
      'laptop -> phone | HELLO v2 roster={laptop:1 phone:1}',
      'laptop -> phone | BYE ProtocolError "HELLO names another device than the authenticated one"'
    ])
  })
})
