/**
 * The password-health report (issue 14: ≤ 500 ms for 10,000 items), against a real daemon holding
 * 10,000 logins: 8,500 with distinct random 24-character passwords (the generator's default, the
 * estimator's slowest common case), 1,000 with weak ones, 500 sharing 100 passwords; a fifth set
 * two years ago, one in ten with a TOTP secret. Figures: each GET /api/health answer (the target:
 * the report answers within 300 ms of waiting plus the rules, complete or not), the time from an
 * unlock until the report is complete (every distinct password estimated once, in the background),
 * the complete report once scores are cached under a keyed hash, the first report after later
 * unlocks (the scores and the rules' rows are kept sealed between unlocks), and the first report
 * after an unlock when an item was edited before the lock (the rows are read from the items again).
 * Run: npx tsx bench/health.ts [--quick]
 */
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { generatePassword } from '../daemon/service/passwordGenerator.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, saveResults } from './results.js'

const PASSWORD = 'correct horse battery staple'
const ITEMS = 10_000
const RUNS = QUICK ? 5 : 30
const TARGET_MS = 500
const WEAK = ['password1', 'summer2024', 'qwerty123', 'iloveyou2', 'letmein!', 'dragon12', 'monkey99', 'football1']
const TWO_YEARS_AGO = new Date(Date.now() - 2 * 365 * 24 * 3600 * 1000).toISOString()

function passwordOf(i: number): string {
  if (i < 8_500) return generatePassword()
  if (i < 9_500) return `${WEAK[i % WEAK.length] as string}${i}`
  return `shared-${i % 100}-passphrase`
}

async function seed(daemon: TestDaemon): Promise<void> {
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    title: `Site ${i}`,
    username: `user${i}@example.com`,
    password: passwordOf(i),
    urls: [`https://site${i % 9_000}.example.com/login`],
    notes: '',
    totp: i % 10 === 0 ? 'otpauth://totp/Site?secret=JBSWY3DPEHPK3PXP' : null,
    fields: [],
    tags: [],
    folder: '',
    favorite: false,
    trashed: false,
    ...(i % 5 === 0 ? { createdAt: TWO_YEARS_AGO, updatedAt: TWO_YEARS_AGO } : {})
  }))
  const file = Buffer.from(JSON.stringify({ format: 'kith-json', version: 1, vault: 'Personal', items }))
  const imported = await daemon.api('POST', '/api/import', { format: 'kith-json', data: file.toString('base64') })
  if (imported.body?.imported !== ITEMS) throw new Error(`import failed: ${JSON.stringify(imported.body).slice(0, 300)}`)
}

interface Answer {
  checked: number
  complete: boolean
  pending: number
  summary: Record<string, number>
}

async function timedReport(daemon: TestDaemon): Promise<{ ms: number; body: Answer }> {
  const t0 = performance.now()
  const res = await daemon.api('GET', '/api/health')
  const ms = performance.now() - t0
  if (res.status !== 200) throw new Error(`GET /api/health answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`)
  return { ms, body: res.body as Answer }
}

/** Lock, `before(i)`, unlock, then the first report, which must be complete: its times (what follows `after` in the errors). */
async function firstReportsAfterUnlocks(daemon: TestDaemon, after: string, before: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < (QUICK ? 3 : 9); i++) {
    await before(i)
    await daemon.api('POST', '/api/lock')
    await daemon.api('POST', '/api/unlock', { password: PASSWORD })
    const r = await timedReport(daemon)
    if (!r.body.complete) throw new Error(`the first report after ${after} ${i + 1} was not complete (${r.body.pending} pending)`)
    times.push(r.ms)
  }
  return times
}

async function main(): Promise<void> {
  const daemon = await TestDaemon.create()
  try {
    await daemon.start()
    await daemon.init(PASSWORD)
    await seed(daemon)
    await daemon.api('POST', '/api/lock')
    await daemon.api('POST', '/api/unlock', { password: PASSWORD })
    const unlocked = performance.now()
    const whileEstimating: number[] = []
    let answer: Answer
    do {
      const r = await timedReport(daemon)
      whileEstimating.push(r.ms)
      answer = r.body
      if (answer.checked !== ITEMS) throw new Error(`the report checked ${answer.checked} items`)
      if (!answer.complete) await new Promise(resolve => setTimeout(resolve, 200))
    } while (!answer.complete)
    const untilComplete = performance.now() - unlocked
    process.stdout.write(`issues found: ${JSON.stringify(answer.summary)}\n`)
    report('health answers while estimating after unlock', whileEstimating, 'ms', `≤ ${TARGET_MS} ms`)
    judge('health answers while estimating after unlock', summarize(whileEstimating).p99 <= TARGET_MS)
    report('unlock → health report complete (10,000 items)', [untilComplete], 'ms')
    const warm: number[] = []
    for (let i = 0; i < RUNS; i++) warm.push((await timedReport(daemon)).ms)
    const label = 'health report, 10,000 items (scores cached)'
    report(label, warm, 'ms', `≤ ${TARGET_MS} ms`)
    const met = summarize(warm).median <= TARGET_MS
    judge(label, met)
    process.stdout.write(`\nhealth target ${met ? 'met' : 'NOT met'}\n`)
    // the scores are kept sealed for the next unlock: the first report after one is complete at once
    await new Promise(resolve => setTimeout(resolve, 2500))
    const afterUnlock = await firstReportsAfterUnlocks(daemon, 'unlock', async () => {})
    const firstLabel = 'first health report after an unlock, scores and rows stored (10,000 items)'
    report(firstLabel, afterUnlock, 'ms', `≤ ${TARGET_MS} ms`)
    judge(firstLabel, summarize(afterUnlock).median <= TARGET_MS)
    // one item edited before the lock: the stored rows are not current, so the report reads every
    // item (the document is built) and hashes every password; the scores still come from disk
    const listed = await daemon.api('GET', '/api/items')
    const ids = (listed.body as Array<{ id: string }>).map(i => i.id)
    const afterEdit = await firstReportsAfterUnlocks(daemon, 'edit', async i => {
      await daemon.api('PATCH', `/api/items/${ids[i] as string}`, { notes: `edited ${i}` })
    })
    const editLabel = 'first health report after an unlock, an item edited before the lock (rows read again)'
    report(editLabel, afterEdit, 'ms', `≤ ${TARGET_MS} ms`)
    judge(editLabel, summarize(afterEdit).median <= TARGET_MS)
  } finally {
    await daemon.destroy()
  }
  await saveResults(
    'health',
    'kith daemon child as kith start spawns it, 127.0.0.1, --no-mdns; GET /api/health over HTTP from this process'
  )
}

await main()
