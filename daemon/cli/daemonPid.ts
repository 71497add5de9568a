/**
 * Whether the pid in a home's daemon.json is our Kith daemon: a live process of this OS user whose command line is
 * `… kith daemon …`. A pid owned by another user (even one we may not signal) or reused by an unrelated process after
 * a crash is not ours, so the CLI neither talks to it nor signals it. Linux reads /proc; elsewhere only `kill(pid, 0)`.
 */
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'

/** What the system says about a pid; each part undefined when unknown (no /proc, or no such process). */
export interface PidFacts {
  /** false on platforms without /proc (then only `signal` decides) */
  hasProc: boolean
  /** the uid owning /proc/<pid>; undefined when the process does not exist */
  ownerUid: number | undefined
  /** this process's uid; undefined where the platform has none */
  myUid: number | undefined
  /** /proc/<pid>/cmdline split at NUL; undefined or empty for a zombie or an unreadable one */
  cmdline: string[] | undefined
  /** the answer to kill(pid, 0) */
  signal: 'ok' | 'EPERM' | 'ESRCH'
}

/** A script name that runs the Kith CLI: bin/kith.js, the dist bundle, an installed `kith`, or main.ts under tsx. */
const KITH_SCRIPT = /^(kith(\.m?[jt]s)?|main\.ts)$/

/** The decision, apart from the system calls so it can be tested with any facts. */
export function isOurDaemonPid(facts: PidFacts): boolean {
  if (!facts.hasProc) return facts.signal === 'ok'
  if (facts.ownerUid === undefined) return false
  if (facts.myUid !== undefined && facts.ownerUid !== facts.myUid) return false
  const argv = facts.cmdline ?? []
  const script = argv.findIndex(a => KITH_SCRIPT.test(basename(a)))
  // a device's daemon or a backup peer (issue 13)
  return script >= 0 && (argv.indexOf('daemon', script + 1) > script || argv.indexOf('backup-peer', script + 1) > script)
}

/** Reads the facts about `pid` from this system. */
function pidFacts(pid: number): PidFacts {
  const hasProc = process.platform === 'linux'
  let signal: PidFacts['signal'] = 'ok'
  try {
    process.kill(pid, 0)
  } catch (err) {
    signal = (err as NodeJS.ErrnoException).code === 'EPERM' ? 'EPERM' : 'ESRCH'
  }
  let ownerUid: number | undefined
  let cmdline: string[] | undefined
  if (hasProc) {
    try {
      ownerUid = statSync(`/proc/${pid}`).uid
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter(a => a !== '')
    } catch {}
  }
  return { hasProc, ownerUid, myUid: process.getuid?.(), cmdline, signal }
}

/** True when `pid` is a running Kith daemon of this OS user (see the module comment). */
export function isOurDaemon(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  return isOurDaemonPid(pidFacts(pid))
}
