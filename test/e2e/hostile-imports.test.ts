/** Hostile files imported through the real CLI and daemon: clear errors naming format and limit, the daemon's peak memory bounded. */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportKithEncrypted } from '../../daemon/interop/kithEncrypted.js'
import { TestDaemon } from '../helpers/daemonProcess.js'

const MiB = 1024 * 1024

/** A one-entry zip (deflate) whose headers declare `size`. */
function zipOf(name: string, deflated: Buffer, size: number): Buffer {
  const n = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(deflated.length, 18)
  local.writeUInt32LE(size, 22)
  local.writeUInt16LE(n.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(deflated.length, 20)
  central.writeUInt32LE(size, 24)
  central.writeUInt16LE(n.length, 28)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + n.length, 12)
  end.writeUInt32LE(30 + n.length + deflated.length, 16)
  return Buffer.concat([local, n, deflated, central, n, end])
}

/** The daemon's peak resident memory so far (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1]) * 1024
}

describe.runIf(process.platform === 'linux')('hostile imports on a real daemon', () => {
  let a: TestDaemon
  beforeAll(async () => {
    a = await TestDaemon.create()
    await a.start()
    await a.init()
  })
  afterAll(async () => {
    await a?.destroy()
  })

  it('a 128 KiB 1PUX that inflates to 128 MiB, and a kith-encrypted file asking Argon2 for 4 GiB', async () => {
    const pid = a.info?.pid as number
    const bomb = deflateRawSync(Buffer.alloc(128 * MiB, 0x20), { level: 9 })
    const honest = join(a.home, 'bomb.1pux')
    const liar = join(a.home, 'liar.1pux')
    await writeFile(honest, zipOf('export.data', bomb, 128 * MiB))
    await writeFile(liar, zipOf('export.data', bomb, 1024))
    const enc = Buffer.from(await exportKithEncrypted([], { password: 'pw' }))
    enc.writeUInt32BE(4 * 1024 * 1024, 9)
    const greedy = join(a.home, 'greedy.kith')
    await writeFile(greedy, enc)
    const before = await peakRss(pid)

    const r1 = await a.kith(['import', '1password-1pux', honest])
    expect(r1.code).not.toBe(0)
    expect(r1.stderr).toMatch(/1password-1pux.*above the 100:1 limit/)
    const r2 = await a.kith(['import', '1password-1pux', liar])
    expect(r2.code).not.toBe(0)
    expect(r2.stderr).toMatch(/1password-1pux.*inflates past its declared.*limit/)
    const t0 = performance.now()
    const r3 = await a.kith(['import', 'kith-encrypted', greedy, '--password-stdin'], 'pw\n')
    expect(r3.code).not.toBe(0)
    expect(r3.stderr).toMatch(/kith-encrypted.*4096 MiB is above the 256 MiB limit/)
    expect(performance.now() - t0).toBeLessThan(5000)

    expect((await peakRss(pid)) - before).toBeLessThan(100 * MiB)
    expect((await a.api('GET', '/api/items')).body).toEqual([])
    await rm(honest)
  })
})
