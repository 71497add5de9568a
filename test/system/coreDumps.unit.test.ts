/** Reading /proc/PID/limits, and what the daemon says when it cannot turn core dumps off. */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { disableCoreDumps, parseCoreLimit } from '../../daemon/system/coreDumps.js'

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max core file size        0                    unlimited            bytes
Max resident set          unlimited            unlimited            bytes
`

describe('core dumps', () => {
  it('reads the core file size row of /proc/PID/limits', () => {
    expect(parseCoreLimit(LIMITS)).toEqual({ soft: '0', hard: 'unlimited' })
    expect(parseCoreLimit('Limit  Soft Limit  Hard Limit  Units\n')).toBeUndefined()
  })

  it.runIf(process.platform === 'linux')('without prlimit: a warning naming it, unless the limit is 0 already', async () => {
    const logs: string[] = []
    const done = await disableCoreDumps({ prlimit: 'kith-no-such-prlimit', log: (level, message) => logs.push(`${level} ${message}`) })
    const now = parseCoreLimit(await readFile('/proc/self/limits', 'utf8'))
    if (now?.soft === '0' && now.hard === '0') expect(done).toBe(true)
    else {
      expect(done).toBe(false)
      expect(logs).toEqual([
        expect.stringMatching(/^warn core dumps could not be turned off \(kith-no-such-prlimit is not installed/) as string
      ])
    }
  })

  it('on macOS and Windows: left as the system sets them, no program run', async () => {
    const logs: string[] = []
    expect(
      await disableCoreDumps({
        platform: 'darwin',
        prlimit: 'kith-no-such-prlimit',
        log: (level, message) => logs.push(`${level} ${message}`)
      })
    ).toBe(false)
    expect(logs).toEqual(['debug core dumps: left as the system sets them on darwin'])
  })
})
