/**
 * Reads one line of `gdbus monitor --system --dest org.freedesktop.login1`: whether logind is on the
 * bus, and the three signals that mean "lock now" (PrepareForSleep, a session's Lock, a session's
 * LockedHint turning true). gdbus only prints signals whose sender owns org.freedesktop.login1.
 */

export type LogindLine =
  | { kind: 'owner'; owned: boolean }
  | { kind: 'sleep'; starting: boolean }
  | { kind: 'session-lock'; session: string }
  | { kind: 'locked-hint'; session: string; locked: boolean }

const SESSION = '(/org/freedesktop/login1/session/[A-Za-z0-9_]+)'
const OWNED = /^The name org\.freedesktop\.login1 is owned by \S+$/
const NOT_OWNED = /^The name org\.freedesktop\.login1 does not have an owner$/
const SLEEP = /^\/org\/freedesktop\/login1: org\.freedesktop\.login1\.Manager\.PrepareForSleep \((true|false),\)$/
const LOCK = new RegExp(`^${SESSION}: org\\.freedesktop\\.login1\\.Session\\.Lock \\(\\)$`)
const CHANGED = new RegExp(
  `^${SESSION}: org\\.freedesktop\\.DBus\\.Properties\\.PropertiesChanged \\('org\\.freedesktop\\.login1\\.Session', \\{(.*)\\}, `
)
/** one entry of the printed a{sv}; a string value that imitates it can at worst lock the vault */
const LOCKED_HINT = /(?:^|, )'LockedHint': <(true|false)>(?:, |$)/

/** The event a monitor line reports, or undefined for any other line. */
export function parseLogindLine(line: string): LogindLine | undefined {
  const text = line.trimEnd()
  if (OWNED.test(text)) return { kind: 'owner', owned: true }
  if (NOT_OWNED.test(text)) return { kind: 'owner', owned: false }
  const sleep = SLEEP.exec(text)
  if (sleep !== null) return { kind: 'sleep', starting: sleep[1] === 'true' }
  const lock = LOCK.exec(text)
  if (lock !== null) return { kind: 'session-lock', session: lock[1] as string }
  const changed = CHANGED.exec(text)
  const hint = changed === null ? null : LOCKED_HINT.exec(changed[2] as string)
  if (changed !== null && hint !== null) return { kind: 'locked-hint', session: changed[1] as string, locked: hint[1] === 'true' }
  return undefined
}

/** The uid in gdbus's answer to Properties.Get(Session, "User"): `(<(uint32 1000, objectpath '…')>,)`. */
export function parseSessionUser(output: string): number | undefined {
  const m = /^\(<\(uint32 (\d+), objectpath '[^']*'\)>,\)$/.exec(output.trim())
  return m === null ? undefined : Number(m[1])
}
