import { describe, it, expect } from 'vitest'
import {
  BACKUP_PEER_ENV,
  DAEMON_ENV,
  DAEMON_NODE_FLAGS,
  RUNTIME_MARKER,
  daemonEnv,
  describeRuntime,
  missingRuntime,
  needsReexec
} from '../../daemon/runtime/daemonRuntime.js'

const FULL_ENV = { ...DAEMON_ENV }

describe('the daemon runtime', () => {
  it('asks for --expose-gc as a start flag, beside the small young generation and compaction', () => {
    expect(DAEMON_NODE_FLAGS).toEqual(expect.arrayContaining(['--expose-gc', '--max-semi-space-size=1']))
  })

  it('a process started without the flags or the allocator setting needs to be started again', () => {
    expect(needsReexec([], {})).toBe(true)
    expect(missingRuntime([], {})).toEqual({ flags: [...DAEMON_NODE_FLAGS], env: Object.keys(DAEMON_ENV) })
    expect(needsReexec([...DAEMON_NODE_FLAGS], {})).toBe(true)
    expect(needsReexec(DAEMON_NODE_FLAGS.slice(1), FULL_ENV)).toBe(true)
  })

  it('a process that has them (kith start, tests) runs as it is', () => {
    expect(needsReexec([...DAEMON_NODE_FLAGS, '--inspect'], FULL_ENV)).toBe(false)
    expect(missingRuntime([...DAEMON_NODE_FLAGS], FULL_ENV)).toEqual({ flags: [], env: [] })
  })

  it('a value the user set for the allocator wins and counts as set', () => {
    expect(needsReexec([...DAEMON_NODE_FLAGS], { MALLOC_MMAP_THRESHOLD_: '65536' })).toBe(false)
    expect(daemonEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_).toBe('65536')
    expect(daemonEnv({}).MALLOC_MMAP_THRESHOLD_).toBe(DAEMON_ENV.MALLOC_MMAP_THRESHOLD_)
  })

  it('a backup peer asks for its own allocator setting: a lower mmap threshold than a daemon’s', () => {
    expect(Number(BACKUP_PEER_ENV.MALLOC_MMAP_THRESHOLD_)).toBeLessThan(Number(DAEMON_ENV.MALLOC_MMAP_THRESHOLD_))
    expect(missingRuntime([...DAEMON_NODE_FLAGS], {}, 'backup-peer')).toEqual({ flags: [], env: ['MALLOC_MMAP_THRESHOLD_'] })
    expect(needsReexec([...DAEMON_NODE_FLAGS], { ...BACKUP_PEER_ENV }, 'backup-peer')).toBe(false)
    expect(describeRuntime([...DAEMON_NODE_FLAGS], { ...BACKUP_PEER_ENV }, 'backup-peer')).toContain('MALLOC_MMAP_THRESHOLD_=32768')
  })

  it('never twice: a re-executed daemon (the marker) runs as it is even without the flags', () => {
    expect(needsReexec([], { [RUNTIME_MARKER]: '1' })).toBe(false)
  })
})
