/**
 * A 20 MB attachment between two paired daemons on loopback (issue 14), for each way a user starts
 * a daemon (`kith daemon` in a terminal, `kith start`):
 *  - upload: `POST /api/items/:id/attachments` on A, from the first byte sent to the answer;
 *  - A → B: from A's answer to B having served the whole file (`GET …/attachments/:id` read to
 *    the last byte; B fetches it from A in the background as soon as the item's record arrives);
 *  - memory: the most each daemon's memory rose above its level just before, sampled every 10 ms
 *    during the upload and the transfer (target: under 10 MB; the file is never held whole). Two
 *    figures: anonymous memory (RssAnon: what the daemon allocated, JS and native) is the one the
 *    target judges; the whole RSS also counts LevelDB's table files mapped into memory (RssFile),
 *    page cache the kernel takes back at will.
 * Run: npx tsx bench/attachments.ts [--quick]   (npm run build first, so the daemons run the bundle)
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TestDaemon } from '../test/helpers/daemonProcess.js'
import { approveWhenWaiting } from '../test/sync/helpers/daemons.js'
import { KITH_DAEMON, KITH_START, type DaemonWay, type RunningDaemon } from './daemonWays.js'
import { QUICK, report, summarize } from './stats.js'
import { judge, record, saveResults } from './results.js'

const PASSWORD = 'correct horse battery staple'
const SIZE = 20 * 1000 * 1000
const RUNS = Number(process.env.RUNS ?? (QUICK ? 3 : 7))

interface Memory {
  rss: number
  anon: number
}
const memoryMb = async (pid: number): Promise<Memory> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024
  return { rss: kb('VmRSS'), anon: kb('RssAnon') }
}

/** Samples memory every 10 ms until stopped; answers the highest values seen. */
function watchMemory(pid: number): { stop: () => Promise<Memory> } {
  const peak = { rss: 0, anon: 0 }
  let running = true
  const loop = (async () => {
    while (running) {
      const m = await memoryMb(pid).catch(() => ({ rss: 0, anon: 0 }))
      peak.rss = Math.max(peak.rss, m.rss)
      peak.anon = Math.max(peak.anon, m.anon)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return peak
    }
  }
}

function upload(d: TestDaemon, itemId: string, name: string, data: Uint8Array): Promise<{ id: string }> {
  const info = d.info!
  const url = new URL(info.url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        method: 'POST',
        path: `/api/items/${itemId}/attachments`,
        headers: {
          Host: url.host,
          Authorization: `Bearer ${info.token}`,
          'Content-Type': 'application/octet-stream',
          'Content-Length': data.length,
          'X-Kith-Name': encodeURIComponent(name)
        }
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', c => chunks.push(c as Buffer))
        res.on('end', () => {
          if (res.statusCode !== 201) reject(new Error(`upload answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))
          else resolve(JSON.parse(Buffer.concat(chunks).toString()) as { id: string })
        })
      }
    )
    req.on('error', reject)
    // in 1 MB writes, as a browser or the CLI streams a file
    for (let i = 0; i < data.length; i += 1 << 20) req.write(data.subarray(i, i + (1 << 20)))
    req.end()
  })
}

/** Reads the whole file from `d`, discarding it; answers the bytes read. */
function download(d: TestDaemon, itemId: string, attachmentId: string): Promise<number> {
  const info = d.info!
  const url = new URL(info.url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        method: 'GET',
        path: `/api/items/${itemId}/attachments/${attachmentId}`,
        headers: { Host: url.host, Authorization: `Bearer ${info.token}` }
      },
      res => {
        let n = 0
        res.on('data', (c: Buffer) => {
          n += c.length
        })
        res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`download answered ${res.statusCode}`))))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

async function asTestDaemon(home: string, running: RunningDaemon): Promise<TestDaemon> {
  const d = new TestDaemon(home)
  d.info = running.info
  return d
}

async function measure(way: DaemonWay): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kith-bench-attach-'))
  const running: RunningDaemon[] = []
  try {
    const ra = await way.start(join(dir, 'a'))
    running.push(ra)
    const rb = await way.start(join(dir, 'b'))
    running.push(rb)
    const a = await asTestDaemon(join(dir, 'a'), ra)
    const b = await asTestDaemon(join(dir, 'b'), rb)
    await a.init(PASSWORD)
    const invite = await a.api('POST', '/api/pairing/invite', {})
    const joining = b.api('POST', '/api/pairing/join', { invitation: invite.body.invitation, password: PASSWORD })
    await approveWhenWaiting(a, b)
    if ((await joining).status !== 201) throw new Error('join failed')
    const item = (await a.api('POST', '/api/items', { title: 'Scans' })).body.id as string
    const uploads: number[] = []
    const transfers: number[] = []
    const riseA: number[] = []
    const riseB: number[] = []
    const rssRiseA: number[] = []
    const rssRiseB: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const data = new Uint8Array(randomBytes(SIZE))
      await new Promise(resolve => setTimeout(resolve, 1500))
      const [baseA, baseB] = [await memoryMb(ra.pid), await memoryMb(rb.pid)]
      const [watchA, watchB] = [watchMemory(ra.pid), watchMemory(rb.pid)]
      const t0 = performance.now()
      const { id } = await upload(a, item, `scan-${run}.bin`, data)
      const t1 = performance.now()
      // B learns of the file by sync, then serves it whole (fetched from A in the background, or at this read)
      for (;;) {
        const res = await b.api('GET', `/api/items/${item}`)
        if ((res.body.attachments as Array<{ id: string }> | undefined)?.some(f => f.id === id)) break
        await new Promise(resolve => setTimeout(resolve, 2))
      }
      const n = await download(b, item, id)
      const t2 = performance.now()
      if (n !== SIZE) throw new Error(`B served ${n} bytes`)
      const [peakA, peakB] = [await watchA.stop(), await watchB.stop()]
      riseA.push(peakA.anon - baseA.anon)
      riseB.push(peakB.anon - baseB.anon)
      rssRiseA.push(peakA.rss - baseA.rss)
      rssRiseB.push(peakB.rss - baseB.rss)
      uploads.push(t1 - t0)
      transfers.push(t2 - t1)
      await a.api('DELETE', `/api/items/${item}/attachments/${id}`)
    }
    const tag = `(${way.name})`
    const figure = (
      label: string,
      samples: number[],
      unit: string,
      target?: string,
      met?: (s: ReturnType<typeof summarize>) => boolean
    ): void => {
      report(`${label} ${tag}`, samples, unit, target)
      const s = summarize(samples)
      record({ label: `${label} ${tag}`, unit, ...s, target, samples, startedAs: way.command })
      if (met !== undefined) judge(`${label} ${tag}`, met(s))
    }
    figure('upload of 20 MB to A', uploads, 'ms')
    figure('20 MB attachment A→B (sync of the record, fetch, B serving it whole)', transfers, 'ms', '≤ 1000 ms', s => s.median <= 1000)
    figure('memory (RssAnon) rise of A during upload and transfer', riseA, 'MB', '< 10 MB', s => s.median < 10)
    figure('memory (RssAnon) rise of B during the transfer', riseB, 'MB', '< 10 MB', s => s.median < 10)
    figure('RSS rise of A (with mapped table files)', rssRiseA, 'MB')
    figure('RSS rise of B (with mapped table files)', rssRiseB, 'MB')
  } finally {
    for (const r of running.reverse()) await r.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  for (const way of [KITH_DAEMON, KITH_START]) await measure(way)
  await saveResults('attachments', 'kith daemon and kith start (each figure names its way)')
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
