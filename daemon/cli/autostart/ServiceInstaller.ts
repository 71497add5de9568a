/**
 * Installs, removes and inspects the login service of one Kith home: the unit file (written new with
 * mode 0600), and the service manager told about it when it can be reached. A file at the unit's
 * path that Kith did not write is never replaced or removed without `force`.
 */
import { lstat, mkdir, readFile, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writePrivateFile } from '../writePrivateFile.js'
import { ForeignUnitError, ServiceStartError } from './AutostartError.js'
import type { ServiceManager } from './ServiceManager.js'

export interface ServiceTarget {
  /** where the unit (or plist) goes */
  path: string
  /** its text for this home and this install */
  content: string
  /** the line only Kith's units carry */
  marker: string
  /** the home the daemon serves (created 0700 when missing: the unit names it) */
  home: string
  manager: ServiceManager
}

export interface InstallResult {
  path: string
  /** the manager enabled and started it; false: the person must run `commands` */
  enabled: boolean
  commands: string[]
  /** a unit of Kith's was there and has been replaced */
  replaced: boolean
}

export interface UninstallResult {
  path: string
  removed: boolean
  /** what is left for the person to run when the manager could not be reached */
  commands: string[]
}

export interface ServiceStatus {
  manager: 'systemd' | 'launchd'
  path: string
  installed: boolean
  /** written by Kith */
  ours: boolean
  /** the same text install would write now (this home, this node, this install) */
  current: boolean
  reachable: boolean
  enabled: boolean
  active: boolean
}

type Existing = { kind: 'none' } | { kind: 'ours'; content: string } | { kind: 'foreign' }

async function existing(target: ServiceTarget): Promise<Existing> {
  let stat: Awaited<ReturnType<typeof lstat>>
  try {
    stat = await lstat(target.path)
  } catch {
    return { kind: 'none' }
  }
  // a symbolic link (`systemctl link`) or anything but a plain file is someone else's
  if (!stat.isFile()) return { kind: 'foreign' }
  const content = await readFile(target.path, 'utf8')
  return content.includes(target.marker) ? { kind: 'ours', content } : { kind: 'foreign' }
}

export async function installService(target: ServiceTarget, options: { force?: boolean } = {}): Promise<InstallResult> {
  const before = await existing(target)
  if (before.kind === 'foreign' && options.force !== true) throw new ForeignUnitError(target.path)
  await mkdir(target.home, { recursive: true, mode: 0o700 })
  await mkdir(dirname(target.path), { recursive: true, mode: 0o700 })
  await writePrivateFile(target.path, Buffer.from(target.content, 'utf8'))
  const outcome = await target.manager.enable(target.path)
  if (outcome === 'failed') throw new ServiceStartError(target.path, target.manager.diagnoseCommands())
  const enabled = outcome === 'enabled'
  return {
    path: target.path,
    enabled,
    commands: enabled ? [] : target.manager.enableCommands(target.path),
    replaced: before.kind !== 'none'
  }
}

export async function uninstallService(target: ServiceTarget, options: { force?: boolean } = {}): Promise<UninstallResult> {
  const before = await existing(target)
  if (before.kind === 'none') return { path: target.path, removed: false, commands: [] }
  if (before.kind === 'foreign' && options.force !== true) throw new ForeignUnitError(target.path)
  const reached = await target.manager.disable(target.path)
  await unlink(target.path)
  await target.manager.forget()
  return { path: target.path, removed: true, commands: reached ? [] : target.manager.disableCommands(target.path) }
}

export async function serviceStatus(target: ServiceTarget): Promise<ServiceStatus> {
  const found = await existing(target)
  const state = await target.manager.state()
  return {
    manager: target.manager.kind,
    path: target.path,
    installed: found.kind !== 'none',
    ours: found.kind === 'ours',
    current: found.kind === 'ours' && found.content === target.content,
    ...state
  }
}
