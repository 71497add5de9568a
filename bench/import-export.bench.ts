/** Times import from Bitwarden JSON (target ≤ 3 s) and export to kith-encrypted (target ≤ 2 s) for 10,000 items; run with `npx tsx`. */
import { exporters, importers } from '../daemon/interop/registry.js'
import type { Item } from '../daemon/vault/Item.js'
import { QUICK, report } from './stats.js'
import { judge, saveResults } from './results.js'

const ITEMS = 10_000
const RUNS = Number(process.env.RUNS ?? (QUICK ? 3 : 9))

function generate(n: number): Item[] {
  const items: Item[] = []
  for (let i = 0; i < n; i++) {
    items.push({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      vault: 'Bench',
      attachments: [],
      title: `Site ${i} — ünïcødé`,
      username: `user${i}@example.com`,
      password: `pw-${i}-${'Zx9!'.repeat(5)}`,
      urls: [`https://site${i}.example.com/login`, `https://m.site${i}.example.com/`],
      notes: `Notes for ${i}\nsecond line, "quoted"`.repeat(3),
      totp: i % 5 === 0 ? `otpauth://totp/Site${i}:user${i}?secret=JBSWY3DPEHPK3PXP&issuer=Site${i}` : null,
      fields: [
        { name: 'PIN', value: String(1000 + i), hidden: true },
        { name: 'Account', value: `A-${i}`, hidden: false }
      ],
      tags: i % 3 === 0 ? ['work', 'bench'] : [],
      folder: `Folder ${i % 20}/Sub ${i % 3}`,
      favorite: i % 11 === 0,
      trashed: i % 50 === 0,
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-06-01T12:00:00.000Z',
      type: 'login',
      expiresAt: null
    })
  }
  return items
}

async function time(label: string, target: number | null, fn: () => Promise<unknown>): Promise<void> {
  await fn()
  const ms: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now()
    await fn()
    ms.push(performance.now() - t0)
  }
  report(label, ms, 'ms', target === null ? undefined : `p99 ≤ ${target} ms`)
  if (target !== null) judge(label, Math.max(...ms) <= target)
}

const items = generate(ITEMS)
const bitwarden = await exporters['bitwarden-json'](items, {})
const keepass = await exporters['keepass-xml'](items, {})
const encrypted = await exporters['kith-encrypted'](items, { password: 'bench' })
console.log(
  `${ITEMS} items, ${RUNS} timed runs after one warm-up; Bitwarden JSON ${(bitwarden.length / 1048576).toFixed(1)} MB, kith-encrypted ${(encrypted.length / 1048576).toFixed(1)} MB; Node ${process.version}`
)
await time('import bitwarden-json', 3000, async () => await importers['bitwarden-json'](bitwarden, {}))
await time(
  'export kith-encrypted (Argon2id at the floor)',
  2000,
  async () => await exporters['kith-encrypted'](items, { password: 'bench' })
)
await time('import kith-encrypted', null, async () => await importers['kith-encrypted'](encrypted, { password: 'bench' }))
await time('export bitwarden-json', null, async () => await exporters['bitwarden-json'](items, {}))
await time('export keepass-xml', null, async () => await exporters['keepass-xml'](items, {}))
await time('import keepass-xml', null, async () => await importers['keepass-xml'](keepass, {}))
await saveResults('import-export', 'no daemon: the importers and exporters in-process')
