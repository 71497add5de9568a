/**
 * What item history costs (issue 14): unlock time and daemon memory for 10,000 items edited 10 times
 * each, with history (every edit keeps a version, as the daemon does) and without (the same edits
 * written as a daemon without history would: the fields, updatedAt, and the passwordChangedAt entry
 * password health reads, which with history comes from the versions instead). Each vault is made
 * in this process on the LevelDB of a home a real daemon initialised, then sealed into one snapshot
 * and compacted (as a device settles); the figures are taken on a real `kith daemon` started on that home: resident memory after
 * restart, unlock and list (quiet, after the daemon's idle collection), and lock/unlock cycles.
 * Then, in this process, the part of an unlock that grows with the vault (Y.applyUpdate of the whole
 * document, as the snapshot holds it) for both, alternating, so both see the same load.
 * Target: history adds ≤ 20 % to unlock time and memory.
 * Run: npx tsx bench/history.ts [--quick] [--items N] [--apply-only]   (or npm run bench -- --only history)
 */
import * as Y from 'yjs'
import { randomBytes } from 'node:crypto'
import { stat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { agent, call } from './apiClient.js'
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, saveResults } from './results.js'
import { LevelStorageAdapter } from '../daemon/storage/LevelStorageAdapter.js'
import { DeviceIdentity } from '../daemon/keyring/DeviceIdentity.js'
import { MemoryNetwork } from '../daemon/network/memory/MemoryNetwork.js'
import { composeDevice } from '../daemon/compose.js'
import { homePaths } from '../daemon/paths.js'
import { LOCAL_ORIGIN, VaultDoc } from '../daemon/vault/VaultDoc.js'

const PASSWORD = 'correct horse battery staple'
/** `--items N` for a smoke run; the figures are for 10,000 */
const ITEMS = process.argv.includes('--items') ? Number(process.argv[process.argv.indexOf('--items') + 1]) : 10_000
const VERSIONS = 10
/** items per transaction (one sealed envelope each), as a busy device would write them */
const CHUNK = 500
const UNLOCKS = QUICK ? 3 : 9

type Variant = 'without history' | 'with history'

/** The edits of `fill` on a bare document: the whole document as one update (what a snapshot seals). */
function documentUpdate(variant: Variant): Uint8Array {
  const doc = new VaultDoc(undefined, 'ab'.repeat(32))
  const ids: string[] = []
  doc.doc.transact(() => {
    for (let i = 0; i < ITEMS; i++)
      ids.push(doc.create({ title: `Site ${i}`, username: `user${i}@example.com`, password: randomBytes(15).toString('base64url') }))
  }, LOCAL_ORIGIN)
  const items = doc.doc.getMap<Y.Map<unknown>>('items')
  const start = Date.now() - VERSIONS * 86_400_000
  for (let round = 1; round <= VERSIONS; round++) {
    const when = new Date(start + round * 86_400_000)
    for (let c = 0; c < ids.length; c += CHUNK)
      doc.doc.transact(() => {
        for (const id of ids.slice(c, c + CHUNK)) {
          const patch = { password: randomBytes(15).toString('base64url'), ...(round % 3 === 0 ? { notes: `a note, round ${round}` } : {}) }
          if (variant === 'with history') doc.update(id, patch, when)
          else {
            const map = items.get(id) as Y.Map<unknown>
            for (const [k, v] of Object.entries(patch)) map.set(k, v)
            map.set('updatedAt', when.toISOString())
            // what health needs and a device without history would write on each password change
            map.set('passwordChangedAt', when.toISOString())
          }
        }
      }, LOCAL_ORIGIN)
  }
  return Y.encodeStateAsUpdate(doc.doc)
}

/** Y.applyUpdate of both documents, alternating (the same load for both). */
function applyTimes(): Record<Variant, number[]> {
  const updates = { 'without history': documentUpdate('without history'), 'with history': documentUpdate('with history') }
  const times: Record<Variant, number[]> = { 'without history': [], 'with history': [] }
  for (let i = 0; i < (QUICK ? 3 : 8); i++)
    for (const variant of ['without history', 'with history'] as const) {
      // the previous document's garbage collected first (node --expose-gc), as a daemon's idle collection does before an unlock
      ;(globalThis as { gc?: () => void }).gc?.()
      const t0 = performance.now()
      const doc = new Y.Doc()
      Y.applyUpdate(doc, updates[variant])
      times[variant].push(performance.now() - t0)
      doc.destroy()
    }
  for (const variant of ['without history', 'with history'] as const)
    process.stdout.write(`  (${variant}: the document is ${(updates[variant].length / 1024 / 1024).toFixed(1)} MB as one update)\n`)
  return times
}

/** Fills the home's vault: 10,000 items, then 10 rounds of edits (a new password each round, the notes every third). */
async function fill(home: string, variant: Variant): Promise<void> {
  const paths = homePaths(home)
  const storage = new LevelStorageAdapter(paths.db)
  await storage.open()
  const identity = await DeviceIdentity.loadOrCreate(paths.identity)
  const network = new MemoryNetwork()
  const device = await composeDevice({ storage, identity, network: () => network.adapter(identity.deviceId), log: () => {} })
  await device.lifecycle.start()
  try {
    await device.unlock.unlock({ kind: 'password', password: PASSWORD })
    const inputs = Array.from({ length: ITEMS }, (_, i) => ({
      title: `Site ${i}`,
      username: `user${i}@example.com`,
      password: randomBytes(15).toString('base64url'),
      urls: [`https://site${i}.example.com/login`],
      notes: 'a short note'
    }))
    const ids = await device.items.createItems(undefined, inputs)
    const replica = device.items.replicaByName(undefined)
    const items = replica.doc.doc.getMap<Y.Map<unknown>>('items')
    const start = Date.now() - VERSIONS * 86_400_000
    for (let round = 1; round <= VERSIONS; round++) {
      const when = new Date(start + round * 86_400_000)
      for (let c = 0; c < ids.length; c += CHUNK) {
        replica.doc.doc.transact(() => {
          for (const id of ids.slice(c, c + CHUNK)) {
            const patch = {
              password: randomBytes(15).toString('base64url'),
              ...(round % 3 === 0 ? { notes: `a note, round ${round}` } : {})
            }
            if (variant === 'with history') replica.doc.update(id, patch, when)
            else {
              const map = items.get(id) as Y.Map<unknown>
              for (const [k, v] of Object.entries(patch)) map.set(k, v)
              map.set('updatedAt', when.toISOString())
            }
          }
        }, LOCAL_ORIGIN)
        await replica.flush()
      }
    }
    if (variant === 'with history' && replica.doc.history(ids[0] as string).length !== VERSIONS) throw new Error('history not kept')
    // as a device settles: one snapshot instead of the edits' envelopes, then compaction
    await replica.snapshot()
    await storage.compact()
    await device.unlock.lock()
  } finally {
    await device.lifecycle.stop()
    await storage.close()
  }
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size
  return total
}

interface Figures {
  unlockMs: number[]
  rssMB: number[]
  heapMB: number[]
  diskMB: number
}

async function measure(variant: Variant): Promise<Figures> {
  const d = await TestDaemon.create()
  try {
    await d.start()
    await d.init(PASSWORD)
    await d.stop()
    const t0 = performance.now()
    await fill(d.home, variant)
    process.stdout.write(`  (${variant}: vault filled in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`)
    const diskMB = (await sizeOf(homePaths(d.home).db)) / 1024 / 1024
    agent.destroy() // no kept-alive socket of an earlier daemon
    await d.start()
    const first = await call(d, 'POST', '/api/unlock', { password: PASSWORD })
    if (first.status !== 200) throw new Error(JSON.stringify(first.body))
    const list = await call(d, 'GET', '/api/items')
    if (list.body.length !== ITEMS) throw new Error(`expected ${ITEMS} items, got ${String(list.body.length)}`)
    // steady state: the daemon collects once requests have paused for 5 s (IdleCollector)
    await new Promise(resolve => setTimeout(resolve, 6500))
    const rssMB: number[] = []
    const heapMB: number[] = []
    for (let i = 0; i < 5; i++) {
      const m = (await call(d, 'GET', '/api/status')).body.memory as { rssMB: number; heapUsedMB: number }
      rssMB.push(m.rssMB)
      heapMB.push(m.heapUsedMB)
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    const unlockMs: number[] = []
    for (let i = 0; i < UNLOCKS; i++) {
      await call(d, 'POST', '/api/lock')
      const res = await call(d, 'POST', '/api/unlock', { password: PASSWORD })
      if (res.status !== 200) throw new Error(JSON.stringify(res.body))
      unlockMs.push(res.ms)
    }
    return { unlockMs, rssMB, heapMB, diskMB }
  } catch (err) {
    process.stderr.write(`daemon log (${variant}):\n${(await d.log().catch(() => '')).slice(-4000)}\n`)
    throw err
  } finally {
    await d.destroy()
  }
}

function reportApply(): void {
  const apply = applyTimes()
  report('Y.applyUpdate of the document, without history', apply['without history'], 'ms')
  report('Y.applyUpdate of the document, with history', apply['with history'], 'ms')
  const ratio = summarize(apply['with history']).median / summarize(apply['without history']).median
  report('Y.applyUpdate with history ÷ without (medians)', [ratio], '×', '≤ 1.20')
  judge('Y.applyUpdate with history ÷ without (medians)', ratio <= 1.2)
}

async function main(): Promise<void> {
  if (process.argv.includes('--apply-only')) {
    reportApply()
    await saveResults('history-apply', 'in-process Y.applyUpdate, no daemon')
    return
  }
  reportApply()
  const results: Record<string, Figures> = {}
  for (const variant of ['without history', 'with history'] as const) {
    const f = await measure(variant)
    results[variant] = f
    report(`unlock, 10,000 items × 10 edits, ${variant}`, f.unlockMs, 'ms')
    report(`daemon RSS, restarted, unlocked, listed, quiet, ${variant}`, f.rssMB, 'MB')
    report(`V8 heap used, same moment, ${variant}`, f.heapMB, 'MB')
    process.stdout.write(`  (${variant}: LevelDB ${f.diskMB.toFixed(1)} MB on disk)\n`)
  }
  const base = results['without history'] as Figures
  const hist = results['with history'] as Figures
  const ratio = (a: number[], b: number[]): number => summarize(b).median / summarize(a).median
  const unlockRatio = ratio(base.unlockMs, hist.unlockMs)
  const rssRatio = ratio(base.rssMB, hist.rssMB)
  report('unlock with history ÷ without (medians)', [unlockRatio], '×', '≤ 1.20')
  judge('unlock with history ÷ without (medians)', unlockRatio <= 1.2)
  report('RSS with history ÷ without (medians)', [rssRatio], '×', '≤ 1.20')
  judge('RSS with history ÷ without (medians)', rssRatio <= 1.2)
  agent.destroy()
  await saveResults('history', 'kith daemon child (TestDaemon), 127.0.0.1, --no-mdns; vaults filled in-process on its LevelDB', {
    diskMB: { without: base.diskMB, with: hist.diskMB }
  })
}

await main()
