/** Hostile 1PUX archives: a zip bomb is refused quickly with an ImportError naming the format and the limit, memory bounded. */
import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ImportError } from '../../daemon/interop/errors.js'
import { importOnePassword1pux } from '../../daemon/interop/onePassword1pux.js'
import { ZIP_LIMITS } from '../../daemon/interop/zipEntry.js'
import { utf8 } from './helpers.js'

const MiB = 1024 * 1024

/** A one-entry zip whose headers declare `declaredSize` for `deflated` (method 8). */
function zipOf(name: string, deflated: Uint8Array, declaredSize: number): Uint8Array {
  const n = utf8(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(deflated.length, 18)
  local.writeUInt32LE(declaredSize, 22)
  local.writeUInt16LE(n.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(deflated.length, 20)
  central.writeUInt32LE(declaredSize, 24)
  central.writeUInt16LE(n.length, 28)
  central.writeUInt32LE(0, 42)
  const cdOffset = 30 + n.length + deflated.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + n.length, 12)
  end.writeUInt32LE(cdOffset, 16)
  return new Uint8Array(Buffer.concat([local, n, deflated, central, n, end]))
}

async function refusal(data: Uint8Array): Promise<ImportError> {
  const err = await importOnePassword1pux(data, {}).then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ImportError)
  const e = err as ImportError
  expect(e.format).toBe('1password-1pux')
  expect(e.message).toContain('1password-1pux')
  return e
}

describe('1PUX inflate caps', () => {
  // 128 MiB of one byte deflates to about 128 KiB (deflate's ~1032:1 ceiling)
  const bomb = new Uint8Array(deflateRawSync(Buffer.alloc(128 * MiB, 0x20), { level: 9 }))

  it('the bomb is a ~128 KiB file', () => {
    expect(bomb.length).toBeLessThan(200 * 1024)
  })

  it('an honest header declaring 128 MiB at ~1000:1 is refused before inflating, naming the ratio limit', async () => {
    const heap0 = process.memoryUsage().rss
    const t0 = performance.now()
    const e = await refusal(zipOf('export.data', bomb, 128 * MiB))
    expect(performance.now() - t0).toBeLessThan(500)
    expect(e.message).toMatch(new RegExp(`above the ${ZIP_LIMITS.maxRatio}:1 limit`))
    expect(process.memoryUsage().rss - heap0).toBeLessThan(100 * MiB)
  })

  it('a header that lies (1 KiB declared) stops inflating at the declared size, naming the limit', async () => {
    const rss0 = process.memoryUsage().rss
    const t0 = performance.now()
    const e = await refusal(zipOf('export.data', bomb, 1024))
    expect(performance.now() - t0).toBeLessThan(500)
    expect(e.message).toMatch(/inflates past its declared .*limit/)
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * MiB)
  })

  it('a declared size above the import limit is refused naming it', async () => {
    const e = await refusal(zipOf('export.data', bomb, ZIP_LIMITS.maxBytes + 1))
    expect(e.message).toMatch(/declares 256 MiB uncompressed, above the 256 MiB limit/)
  })

  it('a header declaring less than the data holds is refused (nothing silently cut)', async () => {
    const json = utf8(JSON.stringify({ accounts: [] }))
    await refusal(zipOf('export.data', new Uint8Array(deflateRawSync(json)), json.length - 1))
    const ok = await importOnePassword1pux(zipOf('export.data', new Uint8Array(deflateRawSync(json)), json.length), {})
    expect(ok.items).toEqual([])
  })
})
