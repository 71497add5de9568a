/**
 * Import and export through a real daemon (issue 5): the whole path a user waits for — the CLI's
 * request, parsing, de-duplication, sealing into envelopes and the LevelDB write; and the export
 * from the unlocked vault to a kith-encrypted file.
 * Run: npx tsx bench/transfers-daemon.ts
 */
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { exporters } from '../daemon/interop/registry.js'
import type { Item } from '../daemon/vault/Item.js'
import { httpRequest } from '../daemon/cli/DaemonClient.js'
import { QUICK, report } from './stats.js'
import { saveResults } from './results.js'

const RUNS = Number(process.env.RUNS ?? (QUICK ? 2 : 5))
const PASSWORD = 'correct horse battery staple'

function generate(n: number, run: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `i${i}`,
    vault: 'x',
    attachments: [],
    title: `Site ${i} run ${run}`,
    username: `user${i}@example.com`,
    password: `pw-${i}-${run}`,
    urls: [`https://site${i}.example.com/login`],
    notes: 'notes',
    totp: null,
    fields: [{ name: 'PIN', value: String(i), hidden: true }],
    tags: [],
    folder: `Folder ${i % 20}`,
    favorite: false,
    trashed: false,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    type: 'login' as const,
    expiresAt: null
  }))
}

const imports: number[] = []
const exportsMs: number[] = []
for (let run = 0; run < RUNS; run++) {
  const d = await TestDaemon.create()
  await d.start()
  await d.init(PASSWORD)
  const info = d.info
  if (info === undefined) throw new Error('no daemon')
  const file = await exporters['bitwarden-json'](generate(10_000, run), {})
  const data = Buffer.from(file).toString('base64')
  let t0 = performance.now()
  const res = await httpRequest(info, 'POST', '/api/import', { format: 'bitwarden-json', data })
  imports.push(performance.now() - t0)
  if (res.status !== 200 || res.body.imported !== 10_000) throw new Error(JSON.stringify(res.body))
  t0 = performance.now()
  const exp = await httpRequest(info, 'POST', '/api/export', { format: 'kith-encrypted', password: 'file password' }, { binary: true })
  exportsMs.push(performance.now() - t0)
  if (exp.status !== 200) throw new Error(String(exp.status))
  await d.destroy()
}
report('import 10,000 Bitwarden JSON items via daemon', imports, 'ms', '≤ 3000 ms')
report('export 10,000 items to kith-encrypted via daemon', exportsMs, 'ms', '≤ 2000 ms')
await saveResults(
  'transfers-daemon',
  'kith daemon child with DAEMON_NODE_FLAGS and DAEMON_ENV given (as kith start spawns it), 127.0.0.1, --no-mdns'
)
