/** kill -9 while a client streams writes, 20 cycles: every acknowledged write survives. */
import { describe, it, expect, afterAll } from 'vitest'
import { TestDaemon } from '../helpers/daemonProcess.js'
import { httpRequest } from '../../daemon/cli/DaemonClient.js'

const PASSWORD = 'correct horse battery staple'
const CYCLES = 20

describe('crash safety', () => {
  let d: TestDaemon
  afterAll(async () => {
    await d?.destroy()
  })

  it(`keeps every acknowledged write across ${CYCLES} kill -9 cycles`, async () => {
    d = await TestDaemon.create()
    await d.start()
    await d.init(PASSWORD)
    const acked = new Map<string, string>()
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      if (cycle > 0) {
        await d.start()
        expect((await d.api('POST', '/api/unlock', { password: PASSWORD })).status).toBe(200)
        const items = (await d.api('GET', '/api/items')).body as Array<{ id: string; title: string }>
        const present = new Map(items.map(i => [i.id, i.title]))
        for (const [id, title] of acked) expect(present.get(id), `cycle ${cycle}: acknowledged item ${title} lost`).toBe(title)
      }
      const info = d.info
      if (info === undefined) throw new Error('no daemon info')
      // stream writes with a few in flight, then kill -9 at a random moment
      let stop = false
      const writer = async (): Promise<void> => {
        let n = 0
        while (!stop) {
          const title = `c${cycle}-w${n++}`
          try {
            const res = await httpRequest(info, 'POST', '/api/items', { title, password: `p-${title}` })
            if (res.status === 201) acked.set((res.body as { id: string }).id, title)
          } catch {
            return
          }
        }
      }
      const writers = [writer(), writer(), writer()]
      await new Promise(resolve => setTimeout(resolve, 150 + Math.random() * 250))
      await d.kill()
      stop = true
      await Promise.all(writers)
    }
    await d.start()
    await d.api('POST', '/api/unlock', { password: PASSWORD })
    const items = (await d.api('GET', '/api/items')).body as Array<{ id: string }>
    const present = new Set(items.map(i => i.id))
    for (const id of acked.keys()) expect(present.has(id)).toBe(true)
    expect(acked.size).toBeGreaterThan(CYCLES)
  }, 240_000)
})
