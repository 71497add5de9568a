/**
 * mDNS discovery, tested only inside a network namespace with nothing but loopback (multicast never
 * reaches a real interface). Skips, loudly, where unshare is not permitted.
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const netnsAllowed = spawnSync('unshare', ['-n', 'true']).status === 0
if (!netnsAllowed)
  process.stderr.write(
    '\n*** SKIPPING the mDNS test: `unshare -n` is not permitted here (it needs a loopback-only network namespace) ***\n\n'
  )

describe('mDNS discovery (loopback-only network namespace)', () => {
  it.skipIf(!netnsAllowed)('devices find each other, and find each other again after both move ports', () => {
    const script = `ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "${process.execPath}" --import tsx "${join(here, 'fixtures', 'mdnsDevices.ts')}"`
    const res = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    const out = `${res.stdout}${res.stderr}`
    expect(out).not.toMatch(/NOT_ISOLATED/)
    expect(out).toMatch(/DISCOVERED/)
    expect(out).toMatch(/MDNS_RECONNECTED/)
  })
})
