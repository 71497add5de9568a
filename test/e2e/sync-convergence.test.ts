/**
 * Convergence with real daemons: three paired daemons, random operations through the API on random
 * daemons while daemons stop and start (each dials the others again by remembered addresses) and
 * lock; afterwards all three serve identical items. The seed is printed; replay with KITH_SEED=….
 * (The 500-operation property test with partitions runs in-process: test/sync/convergence.test.ts.)
 */
import { describe, it, expect, afterAll } from 'vitest'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, pairByApi, until, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'
import { prng } from '../sync/helpers/prng.js'
import type { Item } from '../../daemon/vault/Item.js'
import type { ApiResponse } from '../../daemon/cli/DaemonClient.js'

describe('convergence with three real daemons', () => {
  let all: TestDaemon[] = []
  afterAll(async () => {
    for (const d of all) await d.destroy()
  })

  it('random API operations with restarts and locks end in identical items everywhere', async () => {
    const seed = Number(process.env.KITH_SEED ?? Math.floor(Math.random() * 2 ** 31))
    process.stdout.write(`e2e convergence seed: ${seed} (replay with KITH_SEED=${seed})\n`)
    const rand = prng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
    all = await daemons(3)
    const [a, b, c] = all as [TestDaemon, TestDaemon, TestDaemon]
    await a.init(PASSWORD)
    await pairByApi(a, b)
    await pairByApi(a, c)
    const password = (d: TestDaemon): string => (d === a ? PASSWORD : JOIN_PASSWORD)
    const up = new Set(all)
    const ids = new Set<string>()
    const counts: Record<string, number> = {}
    for (let step = 0; step < 160; step++) {
      const r = rand()
      if (r < 0.025) {
        const d = pick(all)
        if (up.has(d) && up.size > 1) {
          await d.stop()
          up.delete(d)
        } else if (!up.has(d)) {
          await d.start()
          await d.api('POST', '/api/unlock', { password: password(d) })
          up.add(d)
        }
        counts.restart = (counts.restart ?? 0) + 1
        continue
      }
      if (r < 0.04) {
        const d = pick([...up])
        await d.api('POST', '/api/lock')
        await d.api('POST', '/api/unlock', { password: password(d) })
        counts.lock = (counts.lock ?? 0) + 1
        continue
      }
      const d = pick([...up])
      const known = [...ids]
      const op = known.length < 4 ? 'add' : pick(['add', 'edit', 'edit', 'edit', 'trash', 'restore'] as const)
      const id = known.length > 0 ? pick(known) : undefined
      let res: ApiResponse
      if (op === 'add' || id === undefined) {
        res = await d.api('POST', '/api/items', {
          title: `item ${step}`,
          username: `u${step}`,
          password: `p${rand().toString(36).slice(2)}`
        })
        if (res.status === 201) ids.add(res.body.id)
      } else if (op === 'edit') {
        res = await d.api('PATCH', `/api/items/${id}`, {
          [pick(['title', 'username', 'password', 'notes'])]: `${step}-${rand().toString(36).slice(2, 7)}`
        })
      } else if (op === 'trash') {
        res = await d.api('DELETE', `/api/items/${id}`)
      } else {
        res = await d.api('POST', `/api/items/${id}/restore`)
      }
      // an item this daemon has not received yet is a 404: a real user could not have edited it either
      expect([200, 201, 404]).toContain(res.status)
      counts[op] = (counts[op] ?? 0) + 1
    }
    for (const d of all) {
      if (!up.has(d)) {
        await d.start()
        await d.api('POST', '/api/unlock', { password: password(d) })
      }
    }
    const view = async (d: TestDaemon): Promise<string> => {
      const live = (await d.api('GET', '/api/items')).body as Item[]
      const trash = (await d.api('GET', '/api/items?trashed=true')).body as Item[]
      return JSON.stringify([...live, ...trash].sort((x, y) => x.id.localeCompare(y.id)))
    }
    try {
      await until(
        async () => {
          const [va, vb, vc] = [await view(a), await view(b), await view(c)]
          return va === vb && vb === vc
        },
        'identical items on all three daemons',
        20_000,
        100
      )
    } finally {
      process.stdout.write(`e2e convergence seed ${seed}: ${JSON.stringify(counts)}\n`)
    }
    expect(JSON.parse(await view(a)).length).toBe(ids.size)
    for (const d of all) expect(await d.log()).not.toMatch(/rejected data/)
  })
})
