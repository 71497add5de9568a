/**
 * Convergence property: three devices, hundreds of random operations (add, edit a random field,
 * trash, restore, purge) on random devices while links are cut and healed, devices restart and
 * lock; after healing, all three hold identical items. The seed is printed; rerun a failure with
 * KITH_SEED=<seed> npx vitest run test/sync/convergence.test.ts
 */
import { describe, it, expect, afterEach } from 'vitest'
import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { SyncDevice, eventually, PASSWORD } from './helpers/syncDevice.js'
import { prng } from './helpers/prng.js'
import { snapshotHeader } from '../../daemon/sync/messages.js'

const devices: SyncDevice[] = []
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop()
})

const FIELDS = ['title', 'username', 'password', 'notes', 'urls', 'folder'] as const

describe.each([['memory network'], ['real libp2p on 127.0.0.1']])('convergence property (%s)', transportName => {
  it('three devices converge after ≥500 random operations with partitions, restarts and locks', async () => {
    const seed = Number(process.env.KITH_SEED ?? Math.floor(Math.random() * 2 ** 31))
    process.stdout.write(`convergence seed (${transportName}): ${seed} (replay with KITH_SEED=${seed})\n`)
    const rand = prng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
    const transport = transportName === 'memory network' ? new MemoryNetwork() : 'libp2p'
    // snapshots every 40 envelopes, so catching up must cross compacted logs too
    const [a, b, c] = [
      await SyncDevice.create('A', transport, { snapshotEvery: 40 }),
      await SyncDevice.create('B', transport, { snapshotEvery: 40 }),
      await SyncDevice.create('C', transport, { snapshotEvery: 40 })
    ] as [SyncDevice, SyncDevice, SyncDevice]
    devices.push(a, b, c)
    await a.init()
    await b.joinFrom(a)
    await c.joinFrom(a)
    const all = [a, b, c]
    const pairs: Array<[SyncDevice, SyncDevice]> = [
      [a, b],
      [a, c],
      [b, c]
    ]
    const cut = new Set<number>()
    const counts: Record<string, number> = {}
    let ops = 0
    while (ops < 520) {
      const r = rand()
      if (r < 0.04) {
        const i = Math.floor(rand() * pairs.length)
        const [x, y] = pairs[i] as [SyncDevice, SyncDevice]
        if (cut.has(i)) {
          x.heal(y)
          cut.delete(i)
          await x.sync.engine.dial(y.id)
        } else {
          await x.partition(y)
          cut.add(i)
        }
        counts.link = (counts.link ?? 0) + 1
        continue
      }
      if (r < 0.05) {
        const d = pick(all)
        await d.stop()
        await d.restart()
        await d.service.unlock(PASSWORD)
        counts.restart = (counts.restart ?? 0) + 1
        continue
      }
      if (r < 0.06) {
        const d = pick(all)
        await d.service.lock()
        for (let i = 0; i < 3; i++) await pick(all.filter(x => x !== d)).service.createItem({ title: `while ${d.name} locked ${ops}-${i}` })
        await d.service.unlock(PASSWORD)
        counts.lock = (counts.lock ?? 0) + 1
        continue
      }
      const d = pick(all)
      const items = d.items()
      const op = items.length < 5 ? 'add' : pick(['add', 'edit', 'edit', 'edit', 'trash', 'restore', 'purge'] as const)
      const target = items.length > 0 ? pick(items) : undefined
      try {
        if (op === 'add' || target === undefined) {
          await d.service.createItem({
            title: `item ${ops}`,
            username: `user${Math.floor(rand() * 100)}`,
            password: `pw-${rand().toString(36).slice(2)}`
          })
        } else if (op === 'edit') {
          const field = pick(FIELDS)
          const value = `${d.name}-${ops}-${rand().toString(36).slice(2, 8)}`
          await d.service.updateItem(target.id, field === 'urls' ? { urls: [`https://${value}.example`] } : { [field]: value })
        } else if (op === 'trash') {
          await d.service.trashItem(target.id)
        } else if (op === 'restore') {
          await d.service.restoreItem(target.id)
        } else if (rand() < 0.3) {
          await d.service.purgeItem(target.id)
        } else {
          await d.service.updateItem(target.id, { notes: `note ${ops}` })
        }
      } catch (err) {
        // another device's purge can arrive while this edit is written: the edit is made, the item is gone
        if ((err as Error).name !== 'ItemNotFoundError') throw err
        counts.vanished = (counts.vanished ?? 0) + 1
      }
      counts[op] = (counts[op] ?? 0) + 1
      ops++
      if (rand() < 0.1) await new Promise(resolve => setTimeout(resolve, 1))
    }
    for (const i of cut) {
      const [x, y] = pairs[i] as [SyncDevice, SyncDevice]
      x.heal(y)
    }
    for (const d of all) d.sync.engine.dialAll()
    const same = (): boolean => {
      const s = JSON.stringify(a.snapshot())
      return s === JSON.stringify(b.snapshot()) && s === JSON.stringify(c.snapshot())
    }
    try {
      await eventually(same, 'all three devices hold identical items', 20_000)
    } catch (err) {
      for (const d of all) {
        const vectors = d.device.replicas.all().map(r => [...r.vector()].map(([k, v]) => `${k.slice(0, 6)}:${v}`).join(' '))
        process.stdout.write(
          `${d.name} ${d.id.slice(0, 6)} online=${d.sync.engine
            .connected()
            .map(x => x.slice(0, 6))
            .join(',')} vectors=${vectors.join(' | ')}\n  ${d.logs
            .filter(l => l.level !== 'debug')
            .slice(-12)
            .map(l => `${l.level} ${l.message}`)
            .join('\n  ')}\n`
        )
        if (process.env.KITH_DEBUG_SYNC === '1') {
          for (const r of d.device.replicas.all()) {
            const firsts = await Promise.all([a, b, c].map(async x => `${x.name}:${String(await r.firstEnvelopeSeq(x.id))}`))
            const snaps = (await r.snapshots())
              .map(bytes => snapshotHeader(bytes))
              .map(h => `${h.author.slice(0, 6)}{${[...h.vector].map(([k, v]) => `${k.slice(0, 6)}:${v}`).join(' ')}}`)
            process.stdout.write(`  first envelopes ${firsts.join(' ')}; snapshots ${snaps.join(' ')}\n`)
          }
          process.stdout.write(
            d.logs
              .filter(l => l.level !== 'debug' || l.message.includes('cannot serve'))
              .slice(-40)
              .map(l => `    ${l.message}`)
              .join('\n') + '\n'
          )
          for (const peer of d.sync.engine.connected()) {
            const session = d.sync.engine.session(peer) as unknown as {
              peerVectors: Map<string, Map<string, number>>
              pumping: Set<string>
              pumpAgain: Set<string>
              caughtUp: Set<string>
            }
            process.stdout.write(
              `  session→${peer.slice(0, 6)} pv=${[...session.peerVectors.values()].map(v => [...v].map(([k, x]) => `${k.slice(0, 6)}:${x}`).join(' ')).join(' | ')} pumping=${session.pumping.size} again=${session.pumpAgain.size}\n`
            )
          }
        }
      }
      throw err
    } finally {
      process.stdout.write(
        `convergence seed ${seed}: ${JSON.stringify(counts)}; items ${a.items().length}/${b.items().length}/${c.items().length}\n`
      )
    }
    expect(a.items().length).toBeGreaterThan(10)
    for (const d of all) expect(d.warnings().filter(w => !w.includes('did not finish'))).toEqual([])
  })
})
