/** The pid in daemon.json is our daemon only when it is a live `kith daemon` of this OS user, never another user's process. */
import { type ChildProcess, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { isAlive } from '../../daemon/cli/DaemonClient.js'
import { isOurDaemonPid, type PidFacts } from '../../daemon/cli/daemonPid.js'

const daemonArgv = ['/usr/bin/node', '--expose-gc', '/opt/kith/bin/kith.js', 'daemon', '--home', '/home/u/.kith']
const facts = (over: Partial<PidFacts>): PidFacts => ({
  hasProc: true,
  ownerUid: 1000,
  myUid: 1000,
  cmdline: daemonArgv,
  signal: 'ok',
  ...over
})

/** A process whose command line reads `node -e … kith.js daemon`, run as `uid` when given (needs root). */
function fakeDaemon(uid?: number): ChildProcess {
  const node = ['-e', 'setTimeout(() => {}, 60000)', 'kith.js', 'daemon']
  return uid === undefined
    ? spawn(process.execPath, node, { stdio: 'ignore' })
    : spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, ...node], { stdio: 'ignore' })
}

async function cmdlineReady(child: ChildProcess): Promise<void> {
  // setpriv execs node in place: wait until the pid's command line is node's
  const { readFile } = await import('node:fs/promises')
  for (let i = 0; i < 100; i++) {
    if ((await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '')).startsWith(`${process.execPath}\0`)) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error('the fake daemon did not start')
}

describe('isOurDaemonPid (the decision)', () => {
  it("our user's `kith daemon` is ours", () => {
    expect(isOurDaemonPid(facts({}))).toBe(true)
    expect(isOurDaemonPid(facts({ cmdline: ['node', '/usr/local/bin/kith', 'daemon'] }))).toBe(true)
    expect(isOurDaemonPid(facts({ cmdline: ['node', 'daemon/main.ts', 'daemon'] }))).toBe(true)
  })

  it("another user's process is not ours, even with a kith daemon command line", () => {
    expect(isOurDaemonPid(facts({ ownerUid: 1001, signal: 'EPERM' }))).toBe(false)
    expect(isOurDaemonPid(facts({ ownerUid: 0 }))).toBe(false)
  })

  it('a pid reused by another program, a zombie, a gone process or `kith stop` is not ours', () => {
    expect(isOurDaemonPid(facts({ cmdline: ['/bin/bash'] }))).toBe(false)
    expect(isOurDaemonPid(facts({ cmdline: ['node', 'daemon', 'kith.js'] }))).toBe(false)
    expect(isOurDaemonPid(facts({ cmdline: ['node', '/opt/kith/bin/kith.js', 'stop'] }))).toBe(false)
    expect(isOurDaemonPid(facts({ cmdline: [] }))).toBe(false)
    expect(isOurDaemonPid(facts({ ownerUid: undefined, cmdline: undefined, signal: 'ESRCH' }))).toBe(false)
  })

  it('without /proc, a process we may not signal (EPERM) is not ours', () => {
    expect(isOurDaemonPid(facts({ hasProc: false, signal: 'EPERM' }))).toBe(false)
    expect(isOurDaemonPid(facts({ hasProc: false, signal: 'ok' }))).toBe(true)
  })
})

describe.runIf(process.platform === 'linux')('isAlive on this system', () => {
  it('this test process (ours, but not a kith daemon), pid 1 and nonsense pids are not our daemon', () => {
    expect(isAlive(process.pid)).toBe(false)
    expect(isAlive(1)).toBe(false)
    expect(isAlive(0)).toBe(false)
    expect(isAlive(-1)).toBe(false)
  })

  it('a live `kith daemon` of this user is, and is not once it exits', async () => {
    const child = fakeDaemon()
    try {
      await cmdlineReady(child)
      expect(isAlive(child.pid as number)).toBe(true)
    } finally {
      child.kill('SIGKILL')
    }
    await new Promise(resolve => child.once('exit', resolve))
    expect(isAlive(child.pid as number)).toBe(false)
  })

  const root = process.getuid?.() === 0
  if (!root) console.warn('\n!! not root: the test with a process of another OS user is SKIPPED\n')
  it.runIf(root)('a `kith daemon` command line run by another OS user (nobody) is not ours', async () => {
    const child = fakeDaemon(65534)
    try {
      await cmdlineReady(child)
      expect(isAlive(child.pid as number)).toBe(false)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
