/**
 * The daemon's settings in one file, `HOME/config.json` (0600): the dashboard's address, libp2p's
 * listen addresses, mDNS, auto-lock and the log level. Every way of starting the daemon reads it
 * (`kith daemon`, `kith start`, `npm start`, a service unit, the CLI's auto-start); flags given to
 * `kith daemon`/`kith start` are saved into it, so the next start — however it comes — keeps the
 * person's choice instead of falling back to defaults (never a silent change of network
 * exposure). Environment variables (`KITH_LISTEN`, `KITH_MDNS`, `KITH_LOG_LEVEL`) win for one run
 * and are not saved. `kith config` reads and changes it.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { homePaths } from '../paths.js'
import { parseHttpAddress } from '../httpAddress.js'
import { writePrivateFile } from './writePrivateFile.js'
import { CliError, EXIT } from './CliError.js'

export interface DaemonConfig {
  /** HOST:PORT of the dashboard and API (loopback only) */
  http?: string
  /** libp2p listen multiaddrs */
  listen?: string[]
  mdns?: boolean
  autoLockMinutes?: number
  /** the largest file on an item, in MB (25 by default) */
  attachmentLimitMb?: number
  logLevel?: 'debug' | 'info' | 'warn' | 'error'
}

export const CONFIG_KEYS = ['http', 'listen', 'mdns', 'autoLockMinutes', 'attachmentLimitMb', 'logLevel'] as const
export type ConfigKey = (typeof CONFIG_KEYS)[number]

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
/** 4 GiB of 256 KiB chunks is the most a blob may have (replica/BlobStore.ts MAX_CHUNKS) */
const MAX_ATTACHMENT_MB = 4096
const validLimit = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_ATTACHMENT_MB

/** A value as typed (`kith config set KEY VALUE`, or a flag) → the stored value; CliError when it cannot be one. */
export function parseConfigValue(key: ConfigKey, raw: string): DaemonConfig[ConfigKey] {
  switch (key) {
    case 'http':
      try {
        parseHttpAddress(raw)
      } catch (err) {
        throw new CliError('usage', (err as Error).message, EXIT.usage)
      }
      return raw
    case 'listen': {
      const list = raw
        .split(',')
        .map(s => s.trim())
        .filter(s => s !== '')
      if (list.length === 0 || list.some(a => !a.startsWith('/')))
        throw new CliError('usage', 'listen takes multiaddrs such as /ip4/127.0.0.1/tcp/0, comma-separated', EXIT.usage)
      return list
    }
    case 'mdns':
      if (['true', 'on', '1', 'yes'].includes(raw)) return true
      if (['false', 'off', '0', 'no'].includes(raw)) return false
      throw new CliError('usage', 'mdns is true or false', EXIT.usage)
    case 'autoLockMinutes': {
      const n = Number(raw)
      if (!Number.isFinite(n) || n < 0 || n > 1440) throw new CliError('usage', 'autoLockMinutes is 0 (off) to 1440', EXIT.usage)
      return n
    }
    case 'attachmentLimitMb': {
      const n = Number(raw)
      if (!validLimit(n)) throw new CliError('usage', `attachmentLimitMb is 1 to ${MAX_ATTACHMENT_MB} (MB per file)`, EXIT.usage)
      return n
    }
    case 'logLevel':
      if (!(LOG_LEVELS as readonly string[]).includes(raw))
        throw new CliError('usage', `logLevel is one of ${LOG_LEVELS.join(', ')}`, EXIT.usage)
      return raw as DaemonConfig['logLevel']
  }
}

/** Keeps only well-formed settings: a hand-edited file with a bad value loses that value, not the rest. */
function clean(raw: unknown): DaemonConfig {
  if (raw === null || typeof raw !== 'object') return {}
  const r = raw as Record<string, unknown>
  const out: DaemonConfig = {}
  if (typeof r.http === 'string') {
    try {
      parseHttpAddress(r.http)
      out.http = r.http
    } catch {}
  }
  if (Array.isArray(r.listen) && r.listen.every(a => typeof a === 'string' && a.startsWith('/')) && r.listen.length > 0)
    out.listen = r.listen as string[]
  if (typeof r.mdns === 'boolean') out.mdns = r.mdns
  if (typeof r.autoLockMinutes === 'number' && r.autoLockMinutes >= 0 && r.autoLockMinutes <= 1440) out.autoLockMinutes = r.autoLockMinutes
  if (validLimit(r.attachmentLimitMb)) out.attachmentLimitMb = r.attachmentLimitMb
  if (typeof r.logLevel === 'string' && (LOG_LEVELS as readonly string[]).includes(r.logLevel))
    out.logLevel = r.logLevel as DaemonConfig['logLevel']
  return out
}

export async function readDaemonConfig(home: string): Promise<DaemonConfig> {
  try {
    return clean(JSON.parse(await readFile(homePaths(home).config, 'utf8')))
  } catch {
    return {}
  }
}

export async function writeDaemonConfig(home: string, config: DaemonConfig): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 })
  const ordered: Record<string, unknown> = {}
  for (const key of CONFIG_KEYS) if (config[key] !== undefined) ordered[key] = config[key]
  await writePrivateFile(homePaths(home).config, new TextEncoder().encode(`${JSON.stringify(ordered, null, 2)}\n`))
}

/** One line a person reads before a daemon starts: what it will expose. */
export function describeConfig(config: DaemonConfig): string {
  const listen = config.listen ?? ['/ip4/0.0.0.0/tcp/0 (every IPv4 interface, the default)']
  return [
    `mDNS ${config.mdns === false ? 'off' : 'on (the default)'}`,
    `peers on ${listen.join(', ')}`,
    `dashboard ${config.http ?? '127.0.0.1:7370 (the default)'}`
  ].join('; ')
}
