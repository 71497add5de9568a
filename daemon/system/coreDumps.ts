/**
 * Turns core dumps off for the daemon process where the platform allows, so that a crash does not
 * write its memory (unlocked keys, decrypted items) to disk. Node has no setrlimit; on Linux the
 * daemon runs `prlimit --pid <own pid> --core=0:0` (util-linux; prlimit(2) may set the limits of
 * another process of the same user, and lowering needs no privilege), then reads
 * /proc/self/limits to see that both the soft and the hard limit are 0. Lowering the hard limit
 * means nothing in the process can raise it again. Elsewhere the limits are left as the system set
 * them.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

const execFileAsync = promisify(execFile)

export interface CoreLimit {
  /** as /proc/PID/limits writes them: a number of bytes or "unlimited" */
  soft: string
  hard: string
}

/** The "Max core file size" row of a /proc/PID/limits text. */
export function parseCoreLimit(limits: string): CoreLimit | undefined {
  const m = /^Max core file size\s+(\S+)\s+(\S+)/m.exec(limits)
  return m === null ? undefined : { soft: m[1] as string, hard: m[2] as string }
}

export interface CoreDumpOptions {
  log: Log
  platform?: NodeJS.Platform
  /** the prlimit program */
  prlimit?: string
}

/** Runs prlimit on `pid`; undefined when it succeeded, else why not. */
async function runPrlimit(program: string, pid: number): Promise<string | undefined> {
  try {
    await execFileAsync(program, ['--pid', String(pid), '--core=0:0'], { timeout: 5000 })
    return undefined
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: unknown }
    if (e.code === 'ENOENT') return `${program} is not installed (util-linux)`
    return (
      String(e.stderr ?? '')
        .trim()
        .split('\n')[0] || toError(err).message
    )
  }
}

/** Sets this process's core-file limit to 0 (soft and hard); true when /proc/self/limits confirms it. */
export async function disableCoreDumps(options: CoreDumpOptions): Promise<boolean> {
  const { log } = options
  const platform = options.platform ?? process.platform
  if (platform !== 'linux') {
    log('debug', `core dumps: left as the system sets them on ${platform}`)
    return false
  }
  const failure = await runPrlimit(options.prlimit ?? 'prlimit', process.pid)
  let limit: CoreLimit | undefined
  try {
    limit = parseCoreLimit(await readFile('/proc/self/limits', 'utf8'))
  } catch (err) {
    log('warn', `core dumps may be on: /proc/self/limits cannot be read (${toError(err).message})`)
    return false
  }
  if (limit?.soft === '0' && limit.hard === '0') {
    log('debug', 'core dumps off (core file size limit 0, soft and hard)')
    return true
  }
  const now = limit === undefined ? 'unknown' : `${limit.soft} soft, ${limit.hard} hard`
  log(
    'warn',
    `core dumps could not be turned off (${failure ?? 'the limit did not change'}; core file size limit ${now}): a crash may write the daemon's memory to disk`
  )
  return false
}
