/**
 * Property: membership is a function of the set of records. Random histories — devices adding,
 * removing (each other, themselves, concurrently), stating keys and declaring epochs while
 * partitioned — are delivered to several fresh rosters in random orders and batches, and to the
 * devices themselves by gossip; everyone ends with the same members, bounds and current epochs.
 * A failing seed is printed so it can be replayed.
 */
import { describe, it, expect } from 'vitest'
import { MemoryStorageAdapter } from '../../daemon/storage/MemoryStorageAdapter.js'
import { Roster } from '../../daemon/pairing/Roster.js'
import { RosterOp } from '../../daemon/pairing/RosterRecord.js'
import { testDevice, type TestDevice } from './helpers/rosterSigner.js'
import { shuffle } from './helpers/shuffle.js'

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

interface Node {
  device: TestDevice
  roster: Roster
}

const VAULT = 'ef'.repeat(16)

function summary(r: Roster, ids: string[]): string {
  return JSON.stringify({
    members: r.members(),
    revoked: ids.filter(id => r.isRevoked(id)),
    bounds: ids.map(id => r.envelopeBound(id, VAULT) ?? null),
    epoch: r.currentEpoch(VAULT) ?? null,
    names: r.devices().map(d => d.name)
  })
}

async function history(seed: number): Promise<{ nodes: Node[]; random: () => number }> {
  const random = rng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T
  const root: Node = { device: testDevice(), roster: new Roster(new MemoryStorageAdapter()) }
  await root.roster.createGenesis(root.device.roster, new Uint8Array(32).fill(1), 'root')
  const nodes = [root]
  for (let step = 0; step < 24; step++) {
    const actor = pick(nodes)
    const r = random()
    if (r < 0.25 && nodes.length < 7) {
      const joiner: Node = { device: testDevice(), roster: new Roster(new MemoryStorageAdapter()) }
      await actor.roster.addDevice(
        actor.device.roster,
        joiner.device.id,
        joiner.device.roster.publicKey,
        pick(['phone', 'laptop', 'tablet'])
      )
      await joiner.roster.receive(actor.roster.allRecords())
      await joiner.roster.append(joiner.device.roster, { op: RosterOp.Keys, sealingPublicKey: new Uint8Array(32).fill(2), name: '' })
      nodes.push(joiner)
    } else if (r < 0.45) {
      const target = pick(nodes)
      await actor.roster
        .revoke(actor.device.roster, target.device.id, new Map([[VAULT, Math.floor(random() * 5)]]), [
          { vaultId: VAULT, epoch: 1 + Math.floor(random() * 1000), commitment: new Uint8Array(32).fill(step) }
        ])
        .catch(() => {})
    } else if (r < 0.55) {
      await actor.roster.declareEpochs(actor.device.roster, [
        { vaultId: VAULT, epoch: Math.floor(random() * 1000), commitment: new Uint8Array(32).fill(100 + step) }
      ])
    } else {
      // gossip between two devices of a random partition
      const other = pick(nodes)
      await other.roster.receive(actor.roster.allRecords())
      if (random() < 0.5) await actor.roster.receive(other.roster.allRecords())
    }
  }
  return { nodes, random }
}

describe('the roster converges', () => {
  it('the same records in any order and partition give the same membership everywhere', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { nodes, random } = await history(seed)
      const ids = nodes.map(n => n.device.id)
      const records = nodes.flatMap(n => n.roster.allRecords())
      const seen = new Set<string>()
      for (let k = 0; k < 4; k++) {
        const fresh = new Roster(new MemoryStorageAdapter())
        let rest = shuffle(records, seed * 31 + k)
        while (rest.length > 0) {
          const n = 1 + Math.floor(random() * 6)
          await fresh.receive(rest.slice(0, n))
          rest = rest.slice(n)
        }
        seen.add(summary(fresh, ids))
      }
      // and the devices themselves, after gossip until nothing is new
      for (let round = 0; round < 3; round++) for (const a of nodes) for (const b of nodes) await b.roster.receive(a.roster.allRecords())
      for (const n of nodes) seen.add(summary(n.roster, ids))
      expect(seen.size, `seed ${seed}: ${[...seen].join('\n')}`).toBe(1)
    }
  })
})
