/**
 * A peer is marked as holding what a sent snapshot covers only once it acknowledges it (issue 10,
 * item 6; the convergence property once failed on this, seed 72929382): a receiver may keep a
 * snapshot it already holds that covers more, and then the sender must not skip the envelopes
 * the snapshot would have covered.
 */
import { describe, it, expect } from 'vitest'
import { ByeReason } from '../../daemon/sync/messages.js'
import { MessageTrace } from './helpers/messageTrace.js'
import { connectSessions, StubDevice, until } from './helpers/stubDevice.js'
import { deviceIdFor, vaultIdFor } from './helpers/stubPorts.js'

const personal = vaultIdFor('personal')

describe('SyncSession: a sent snapshot counts only once acknowledged', () => {
  it('a snapshot the peer keeps out does not mark it as holding what it covers', async () => {
    const trace = new MessageTrace()
    trace.label(personal, 'personal')
    const laptop = new StubDevice('laptop', ['laptop', 'phone', 'tablet'], trace)
    const phone = new StubDevice('phone', ['laptop', 'phone', 'tablet'], trace)
    const tablet = deviceIdFor('tablet')
    const mine = laptop.vaults.add(personal)
    const theirs = phone.vaults.add(personal)
    // the laptop compacted its own seqs 1..5 into a snapshot and holds 6..8 as envelopes
    mine.append(laptop.id, 8)
    mine.compact(laptop.id, new Map([[laptop.id, 5]]))
    // the phone holds an older snapshot by the laptop that covers more of the tablet's log
    theirs.append(laptop.id, 2)
    theirs.append(tablet, 10)
    theirs.compact(
      laptop.id,
      new Map([
        [laptop.id, 2],
        [tablet, 10]
      ])
    )
    const s = await connectSessions(laptop, phone, trace)
    await until(() => laptop.caughtUp.length > 0 && phone.caughtUp.length > 0, 'both sides to send CAUGHT_UP')
    await new Promise(resolve => setTimeout(resolve, 50))
    // the phone kept its own snapshot, so it still lacks the laptop's 3..5: sending 6 would skip ahead
    expect(laptop.warnings().concat(phone.warnings())).toEqual([])
    expect(s.a.closed || s.b.closed).toBe(false)
    expect(theirs.vector().get(laptop.id)).toBe(2)
    expect(theirs.received.filter(r => r.author === laptop.id)).toEqual([])
    await s.a.close(ByeReason.Done)
    await s.ended
  })
})
