/**
 * Talks to a home's running daemon over its HTTP API (bearer token and URL from daemon.json), and
 * starts one in the background when needed. Calls go through Hono's typed client over the daemon's
 * AppType; underneath, node:http, so the Host header is exactly localhost:PORT.
 */
import { request } from 'node:http'
import { hc } from 'hono/client'
import type { AppType } from '../api/createApp.js'
import { readFile, open as openFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { KITH_BIN as BIN, DAEMON_NODE_FLAGS, daemonEnv } from '../installRoot.js'
import { mkdirSync } from 'node:fs'
import { homePaths } from '../paths.js'
import { CliError, EXIT, exitCodeForHttp } from './CliError.js'
import { toError } from '../toError.js'
import { isOurDaemon } from './daemonPid.js'
import { describeConfig, readDaemonConfig } from './DaemonConfig.js'

export interface DaemonInfo {
  pid: number
  url: string
  token: string
  peerId: string
  multiaddrs: string[]
  /** HTTP over this Unix socket when present (this user only); else the loopback port */
  socket?: string
}

/** Where a request goes: the daemon's socket when it has one, else its loopback port. */
export function target(info: Pick<DaemonInfo, 'url' | 'socket'>): { socketPath: string } | { host: string; port: string } {
  return info.socket !== undefined ? { socketPath: info.socket } : { host: '127.0.0.1', port: new URL(info.url).port }
}

export interface ApiResponse {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: the raw client of tests, benches and `kith status` reads whatever JSON came back; typed calls go through `api`
  body: any
  headers: Record<string, string | string[] | undefined>
}

/** The typed client of the daemon's API. */
export type ApiClient = ReturnType<typeof hc<AppType>>

/** The error body every 4xx/5xx carries (docs/api.md). */
export interface ApiErrorBody {
  error: { code: string; message: string }
}

/** True when `pid` is a running Kith daemon of this OS user: not another user's process, not a reused pid (daemonPid.ts). */
export function isAlive(pid: number): boolean {
  return isOurDaemon(pid)
}

export async function readDaemonInfo(home: string): Promise<DaemonInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(homePaths(home).daemonJson, 'utf8')) as DaemonInfo
    return isAlive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}

export function httpRequest(
  info: Pick<DaemonInfo, 'url' | 'token' | 'socket'>,
  method: string,
  path: string,
  body?: unknown,
  options: { raw?: Uint8Array; timeoutMs?: number; binary?: boolean } = {}
): Promise<ApiResponse> {
  const url = new URL(info.url)
  const payload = options.raw !== undefined ? Buffer.from(options.raw) : body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...target(info),
        method,
        path,
        headers: {
          Host: url.host,
          Authorization: `Bearer ${info.token}`,
          ...(payload !== undefined
            ? {
                'Content-Type': options.raw !== undefined ? 'application/octet-stream' : 'application/json',
                'Content-Length': payload.length
              }
            : {})
        },
        timeout: options.timeoutMs ?? 120_000
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', c => chunks.push(c as Buffer))
        res.on('end', () => {
          if (options.binary === true) {
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers })
            return
          }
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = text
          try {
            parsed = text === '' ? null : JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers })
        })
      }
    )
    req.on('timeout', () => req.destroy(new Error('the daemon did not answer in time')))
    req.on('error', reject)
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

/**
 * fetch over node:http for the typed client: sends Host exactly as the daemon's URL names it
 * (localhost:PORT) and the bearer token, and buffers the answer (a streamed list or an export file).
 */
export function nodeFetch(info: Pick<DaemonInfo, 'url' | 'token' | 'socket'>, timeoutMs = 120_000): typeof fetch {
  const base = new URL(info.url)
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = new Headers(init?.headers)
    headers.set('Authorization', `Bearer ${info.token}`)
    const body =
      init?.body === undefined || init.body === null
        ? undefined
        : Buffer.from(typeof init.body === 'string' ? init.body : new Uint8Array(await new Response(init.body).arrayBuffer()))
    if (body !== undefined) headers.set('Content-Length', String(body.length))
    return await new Promise<Response>((resolve, reject) => {
      const req = request(
        {
          ...target(info),
          method: init?.method ?? 'GET',
          path: `${url.pathname}${url.search}`,
          headers: { ...Object.fromEntries(headers), Host: base.host },
          setHost: false,
          timeout: timeoutMs
        },
        res => {
          const chunks: Buffer[] = []
          res.on('data', c => chunks.push(c as Buffer))
          res.on('end', () => {
            const answer = new Headers()
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) answer.set(k, Array.isArray(v) ? v.join(', ') : v)
            const status = res.statusCode ?? 0
            resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: answer }))
          })
          res.on('error', reject)
        }
      )
      req.on('timeout', () => req.destroy(new Error('the daemon did not answer in time')))
      req.on('error', reject)
      if (body !== undefined) req.write(body)
      req.end()
    })
  }
}

export function apiClient(info: Pick<DaemonInfo, 'url' | 'token'>, timeoutMs?: number): ApiClient {
  return hc<AppType>(info.url, { fetch: nodeFetch(info, timeoutMs) })
}

export class DaemonClient {
  /** the daemon's /api, typed: `await client.json(client.api.items.$get({ query: {} }))` */
  readonly api: ApiClient['api']

  constructor(
    readonly home: string,
    private readonly info: DaemonInfo
  ) {
    this.api = apiClient(info).api
  }

  get url(): string {
    return this.info.url
  }

  /** Where and how to reach the daemon, for the streamed file transfers (fileStream.ts). */
  get connection(): Pick<DaemonInfo, 'url' | 'token' | 'socket'> {
    return this.info
  }

  /** The typed API for a call that may stay silent up to `timeoutMs` (a join waiting for a person). */
  patient(timeoutMs: number): ApiClient['api'] {
    return apiClient(this.info, timeoutMs).api
  }
  get pid(): number {
    return this.info.pid
  }

  /** The answer of a typed call; an unreachable daemon or a 4xx/5xx becomes a CliError with the daemon's message. */
  async ok<R extends Response>(call: Promise<R>): Promise<R> {
    let res: R
    try {
      res = await call
    } catch (err) {
      throw new CliError('daemon_unreachable', `cannot reach the daemon at ${this.info.url}: ${toError(err).message}`, EXIT.notRunning)
    }
    if (res.status >= 400) {
      let error: Partial<ApiErrorBody['error']> | undefined
      try {
        error = ((await res.json()) as Partial<ApiErrorBody>).error
      } catch {}
      const code = error?.code ?? 'http_error'
      throw new CliError(code, error?.message ?? `the daemon answered ${res.status}`, exitCodeForHttp(res.status, code))
    }
    return res
  }

  /** The JSON body of a typed call (see `ok`). */
  async json<R extends Response & { json: () => Promise<unknown> }>(call: Promise<R>): Promise<Awaited<ReturnType<R['json']>>> {
    return (await (await this.ok(call)).json()) as Awaited<ReturnType<R['json']>>
  }

  /** A client for the running daemon, starting one in the background first when none runs. */
  static async connect(home: string, options: { autostart?: boolean } = {}): Promise<DaemonClient> {
    const info = await readDaemonInfo(home)
    if (info !== undefined) return new DaemonClient(home, info)
    if (options.autostart === false)
      throw new CliError('not_running', `no Kith daemon is running for ${home} (start one with \`kith start\`)`, EXIT.notRunning)
    const config = await readDaemonConfig(home)
    process.stderr.write(
      `kith: no daemon was running for ${home}; starting one in the background with the settings in ${homePaths(home).config} (${describeConfig(config)})\n`
    )
    return await startInBackground(home, [])
  }
}

/** Spawns `kith daemon` detached (output to HOME/daemon.log) and waits until it answers. */
export async function startInBackground(home: string, daemonArgs: string[], timeoutMs = 30_000): Promise<DaemonClient> {
  const paths = homePaths(home)
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const logFile = await openFile(paths.log, 'a', 0o600)
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, BIN, 'daemon', '--home', home, ...daemonArgs], {
    detached: true,
    stdio: ['ignore', logFile.fd, logFile.fd],
    env: daemonEnv()
  })
  let exited: number | null = null
  child.once('exit', code => {
    exited = code ?? 1
  })
  child.unref()
  await logFile.close()
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited !== null) {
      const tail = (await readFile(paths.log, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ')
      throw new CliError('start_failed', `the daemon exited during start-up (${tail})`)
    }
    const info = await readDaemonInfo(home)
    if (info !== undefined && info.pid === child.pid) {
      try {
        const res = await httpRequest(info, 'GET', '/api/status', undefined, { timeoutMs: 2000 })
        if (res.status === 200) return new DaemonClient(home, info)
      } catch {}
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new CliError('start_failed', `the daemon did not answer within ${timeoutMs / 1000} s (see ${paths.log})`)
}
