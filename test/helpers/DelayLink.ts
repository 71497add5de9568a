/**
 * One-way delay on a link between two network namespaces without the kernel's `netem` (this
 * project's test machines have no sch_netem): `delayLink.py`, a python3 process started here,
 * holds a TAP device in each namespace and passes every Ethernet frame from one to the other after
 * that direction's delay. The devices live as long as the process: `stop()` kills it by PID, and it
 * also ends when the process that started it does. Needs root, python3 and /dev/net/tun.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./delayLink.py', import.meta.url))

/** One wire: a TAP device `devA` in namespace `nsA`, one `devB` in `nsB`, and the delay each way. */
export interface DelayedWire {
  nsA: string
  devA: string
  nsB: string
  devB: string
  aToBMs: number
  bToAMs: number
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** What is missing to run a delay link here ('' when nothing). */
export function delayLinkUnavailable(): string {
  if (spawnSync('sh', ['-c', 'command -v python3']).status !== 0) return 'python3 not found'
  if (spawnSync('sh', ['-c', 'test -c /dev/net/tun']).status !== 0) return 'no /dev/net/tun'
  return ''
}

export class DelayLink {
  private child: ChildProcess | undefined
  private dir = ''

  /** Starts the process and waits (synchronously) until every device exists; throws with its output if it cannot. */
  start(wires: DelayedWire[], timeoutMs = 10_000): void {
    const missing = delayLinkUnavailable()
    if (missing !== '') throw new Error(missing)
    this.dir = mkdtempSync(join(tmpdir(), 'kith-delay-link-'))
    const log = join(this.dir, 'out')
    const fd = openSync(log, 'w')
    const specs = wires.map(w => [w.nsA, w.devA, w.nsB, w.devB, w.aToBMs, w.bToAMs].join(':'))
    const child = spawn('python3', [SCRIPT, ...specs], { stdio: ['ignore', fd, fd] })
    closeSync(fd)
    this.child = child
    const pid = child.pid
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const out = readFileSync(log, 'utf8')
      if (out.includes('ready')) return
      const state = pid === undefined ? 'Z' : (/\) (\S)/.exec(readStat(pid))?.[1] ?? 'Z')
      if (state === 'Z' || Date.now() > deadline) {
        this.stop()
        throw new Error(`the delay link did not start: ${out.trim() || 'no output'}`)
      }
      sleepSync(10)
    }
  }

  /** Kills the process (its devices go with it); safe to call twice or after a failed start. */
  stop(): void {
    const pid = this.child?.pid
    if (pid !== undefined && this.child?.exitCode === null) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
      // the devices go when the process has closed them: wait for it to be a zombie or reaped
      const deadline = Date.now() + 2000
      while (Date.now() < deadline && !/\) Z/.test(readStat(pid))) sleepSync(5)
    }
    this.child = undefined
    if (this.dir !== '') rmSync(this.dir, { recursive: true, force: true })
    this.dir = ''
  }

  get pid(): number | undefined {
    return this.child?.pid
  }
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return `${pid} (gone) Z`
  }
}
