/**
 * `kith daemon` owns its runtime: started plainly (a terminal, `npm start`, a service unit) it runs
 * again once with DAEMON_NODE_FLAGS and DAEMON_ENV; signals, `kith stop` and exit codes still work.
 * Runs bin/kith.js (the bundle after `npm run build`). Reads /proc, so Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isAlive, readDaemonInfo, type DaemonInfo } from '../../daemon/cli/DaemonClient.js'
import { BACKUP_PEER_ENV, DAEMON_ENV, DAEMON_NODE_FLAGS, RUNTIME_MARKER } from '../../daemon/runtime/daemonRuntime.js'
import { KITH_BIN, runKith } from '../helpers/daemonProcess.js'

/** The environment of a shell: no allocator setting, no marker. */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KITH_MDNS: '0', KITH_KDF_MS: '0' }
  for (const name of [...Object.keys(DAEMON_ENV), ...Object.keys(BACKUP_PEER_ENV), RUNTIME_MARKER]) delete env[name]
  return { ...env, ...extra }
}

interface Started {
  parent: ChildProcess
  info: DaemonInfo
  home: string
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const homes: string[] = []
const parents: ChildProcess[] = []

async function startDaemon(nodeFlags: string[] = [], args: string[] = [], env = plainEnv()): Promise<Started> {
  return await startNode(['daemon', '--no-mdns'], nodeFlags, args, env)
}

/** `kith daemon` or `kith backup-peer` (a keyless node: never mDNS, no --no-mdns flag) on 127.0.0.1. */
async function startNode(command: string[], nodeFlags: string[], args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const home = await mkdtemp(join(tmpdir(), 'kith-reexec-'))
  homes.push(home)
  const [name, ...flags] = command
  const parent = spawn(
    process.execPath,
    [
      ...nodeFlags,
      KITH_BIN,
      name as string,
      '--home',
      home,
      '--http',
      '127.0.0.1:0',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      ...flags,
      ...args
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  parents.push(parent)
  let output = ''
  parent.stdout?.setEncoding('utf8').on('data', d => {
    output += String(d)
  })
  parent.stderr?.setEncoding('utf8').on('data', d => {
    output += String(d)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    parent.once('exit', (code, signal) => resolve({ code, signal }))
  )
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (parent.exitCode !== null) throw new Error(`kith daemon exited during start-up:\n${output}`)
    const info = await readDaemonInfo(home)
    if (info !== undefined) return { parent, info, home, output: () => output, exited }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`kith daemon did not write daemon.json:\n${output}`)
}

async function procFile(pid: number, name: string): Promise<string[]> {
  return (await readFile(`/proc/${pid}/${name}`, 'utf8')).split('\0')
}

afterEach(async () => {
  for (const p of parents.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM')
  await new Promise(resolve => setTimeout(resolve, 200))
  for (const h of homes.splice(0)) await rm(h, { recursive: true, force: true })
})

describe.runIf(process.platform === 'linux')('kith daemon started without its runtime', () => {
  it('runs again once with the V8 flags and the allocator setting; SIGINT to the first process stops it cleanly', async () => {
    const d = await startDaemon()
    expect(d.info.pid).not.toBe(d.parent.pid) // daemon.json names the real daemon
    const cmdline = await procFile(d.info.pid, 'cmdline')
    for (const f of DAEMON_NODE_FLAGS) expect(cmdline).toContain(f)
    const environ = await procFile(d.info.pid, 'environ')
    for (const [name, value] of Object.entries(DAEMON_ENV)) expect(environ).toContain(`${name}=${value}`)
    expect(environ).toContain(`${RUNTIME_MARKER}=${String(d.parent.pid)}`)
    // exactly one re-exec: the daemon's parent is the process we started
    const stat = await readFile(`/proc/${d.info.pid}/stat`, 'utf8')
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])).toBe(d.parent.pid)
    expect(d.output()).toMatch(/runtime: node \S+ --max-semi-space-size=1 --expose-gc .*MALLOC_MMAP_THRESHOLD_=131072, idle collector on/)

    d.parent.kill('SIGINT')
    expect(await d.exited).toEqual({ code: 0, signal: null })
    expect(d.output()).toContain('received SIGINT, shutting down')
    expect(d.output()).toContain('kith daemon stopped')
    expect(existsSync(join(d.home, 'daemon.json'))).toBe(false)
  })

  it('kith stop signals the real daemon, and the first process ends with it', async () => {
    const d = await startDaemon()
    const stop = await runKith(d.home, ['stop', '--json'], undefined, plainEnv())
    expect(stop.code).toBe(0)
    expect(JSON.parse(stop.stdout)).toMatchObject({ stopped: true, pid: d.info.pid })
    expect(await d.exited).toEqual({ code: 0, signal: null })
    expect(d.output()).toContain('received SIGTERM, shutting down')
  })

  it('the daemon shuts down cleanly when the process that started it is killed', async () => {
    const d = await startDaemon()
    d.parent.kill('SIGKILL')
    await d.exited
    const deadline = Date.now() + 20_000
    while (isAlive(d.info.pid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    expect(isAlive(d.info.pid)).toBe(false)
    expect(existsSync(join(d.home, 'daemon.json'))).toBe(false) // a clean stop removes it
    expect(d.output()).toContain('the process that started this daemon has ended, shutting down')
  })

  it('ends as the daemon ended: killed by a signal, the first process dies by the same signal', async () => {
    const d = await startDaemon()
    process.kill(d.info.pid, 'SIGKILL')
    expect(await d.exited).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it("passes the daemon's exit code on (a refused --http address)", async () => {
    const home = await mkdtemp(join(tmpdir(), 'kith-reexec-'))
    homes.push(home)
    const plain = await runKith(home, ['daemon', '--http', '192.0.2.1:0', '--no-mdns'], undefined, plainEnv())
    const direct = await runKith(home, ['daemon', '--http', '192.0.2.1:0', '--no-mdns'], undefined, plainEnv({ [RUNTIME_MARKER]: '1' }))
    expect(direct.code).not.toBe(0)
    expect(plain.code).toBe(direct.code)
    expect(plain.stderr).toContain('loopback')
  })

  it('a daemon started with the runtime (as kith start does) is not started again', async () => {
    const d = await startDaemon([...DAEMON_NODE_FLAGS], [], plainEnv(DAEMON_ENV))
    expect(d.info.pid).toBe(d.parent.pid)
    d.parent.kill('SIGTERM')
    expect(await d.exited).toEqual({ code: 0, signal: null })
  })
})

describe.runIf(process.platform === 'linux')('kith backup-peer started without its runtime', () => {
  it('runs again once with the V8 flags and its own allocator setting (a lower mmap threshold than a daemon’s)', async () => {
    const d = await startNode(['backup-peer'], [], [], plainEnv())
    expect(d.info.pid).not.toBe(d.parent.pid)
    const cmdline = await procFile(d.info.pid, 'cmdline')
    for (const f of DAEMON_NODE_FLAGS) expect(cmdline).toContain(f)
    const environ = await procFile(d.info.pid, 'environ')
    expect(environ).toContain('MALLOC_MMAP_THRESHOLD_=32768')
    expect(environ).not.toContain(`MALLOC_MMAP_THRESHOLD_=${DAEMON_ENV.MALLOC_MMAP_THRESHOLD_ ?? ''}`)
    expect(d.output()).toMatch(/runtime: node \S+ --max-semi-space-size=1 --expose-gc .*MALLOC_MMAP_THRESHOLD_=32768/)
    // its signal handlers are set once it says it is ready (daemon.json is written just before)
    const deadline = Date.now() + 20_000
    while (!d.output().includes('kith backup peer ready') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    d.parent.kill('SIGTERM')
    expect(await d.exited).toEqual({ code: 0, signal: null })
    expect(d.output()).toContain('kith backup peer stopped')
  })

  it('a threshold already in the environment wins (a daemon’s, given by whoever started it)', async () => {
    const d = await startNode(['backup-peer'], [], [], plainEnv(DAEMON_ENV))
    expect(await procFile(d.info.pid, 'environ')).toContain(`MALLOC_MMAP_THRESHOLD_=${DAEMON_ENV.MALLOC_MMAP_THRESHOLD_ ?? ''}`)
  })
})

describe.runIf(process.platform === 'linux')('the idle collector switch', () => {
  it('--no-idle-gc turns it off', async () => {
    const d = await startDaemon([], ['--no-idle-gc'])
    expect(d.output()).toContain('idle collector off')
  })

  it('KITH_IDLE_GC=0 turns it off', async () => {
    const d = await startDaemon([], [], plainEnv({ KITH_IDLE_GC: '0' }))
    expect(d.output()).toContain('idle collector off')
  })

  it('kith start --no-idle-gc passes it on to the background daemon, which it starts with the runtime directly', async () => {
    const home = await mkdtemp(join(tmpdir(), 'kith-reexec-'))
    homes.push(home)
    const started = await runKith(home, ['start', '--json', '--http', '127.0.0.1:0', '--no-mdns', '--no-idle-gc'], undefined, plainEnv())
    expect(started.code).toBe(0)
    const pid = JSON.parse(started.stdout).pid as number
    try {
      expect((await readDaemonInfo(home))?.pid).toBe(pid)
      const cmdline = await procFile(pid, 'cmdline')
      for (const f of DAEMON_NODE_FLAGS) expect(cmdline).toContain(f)
      expect(await readFile(join(home, 'daemon.log'), 'utf8')).toContain('idle collector off')
    } finally {
      expect((await runKith(home, ['stop'], undefined, plainEnv())).code).toBe(0)
    }
  })
})
