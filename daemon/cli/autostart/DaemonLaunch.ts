/**
 * How a login service starts `kith daemon`: this node binary and this install's bin/kith.js, by
 * absolute path (computed when the service is installed), with the daemon's runtime flags and
 * environment so it never re-executes itself, for one home. No secret is ever part of it.
 */
import { isAbsolute } from 'node:path'
import { DAEMON_ENV, DAEMON_NODE_FLAGS, KITH_BIN } from '../../installRoot.js'
import { UnsafePathError } from './AutostartError.js'

export interface DaemonLaunch {
  /** absolute path of the Kith home the daemon serves */
  home: string
  /** absolute path of the node binary */
  node: string
  /** absolute path of bin/kith.js */
  bin: string
  nodeFlags: readonly string[]
  env: Readonly<Record<string, string>>
}

/** What this install, run by this node, would start for `home`. */
export function currentLaunch(home: string): DaemonLaunch {
  return checkedLaunch({ home, node: process.execPath, bin: KITH_BIN, nodeFlags: DAEMON_NODE_FLAGS, env: DAEMON_ENV })
}

/** Absolute, printable, no quotes or backslashes: a path both a unit file and a plist can carry verbatim. */
const safe = (path: string): boolean =>
  isAbsolute(path) && ![...path].some(ch => ch === '"' || ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)

export function checkedLaunch(launch: DaemonLaunch): DaemonLaunch {
  for (const [what, path] of [
    ['the home', launch.home],
    ['the node binary', launch.node],
    ['bin/kith.js', launch.bin]
  ] as const)
    if (!safe(path)) throw new UnsafePathError(`${what} ${JSON.stringify(path)}`)
  return launch
}

/** The daemon's argv after the node binary. */
export const daemonArgv = (launch: DaemonLaunch): string[] => [...launch.nodeFlags, launch.bin, 'daemon', '--home', launch.home]
