/** Starts real `kith daemon` child processes on temporary homes for end-to-end tests, and drives them. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { httpRequest, readDaemonInfo, type ApiResponse, type DaemonInfo } from '../../daemon/cli/DaemonClient.js'
import { DAEMON_NODE_FLAGS, daemonEnv } from '../../daemon/installRoot.js'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const KITH_BIN = join(REPO_ROOT, 'bin', 'kith.js')

/** Environment for every daemon a test starts: no mDNS, floor Argon2 parameters (no tuning). */
export const TEST_ENV = { ...process.env, KITH_MDNS: '0', KITH_KDF_MS: '0' }

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `kith ARGS --home HOME`, optionally writing `stdin`. */
export function runKith(home: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = TEST_ENV): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KITH_BIN, ...args, '--home', home], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    // decode as a stream: a multi-byte character may be split between two pipe reads
    child.stdout.setEncoding('utf8').on('data', d => {
      stdout += String(d)
    })
    child.stderr.setEncoding('utf8').on('data', d => {
      stderr += String(d)
    })
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }))
    if (stdin !== undefined) child.stdin.end(stdin)
    else child.stdin.end()
  })
}

export class TestDaemon {
  child: ChildProcess | undefined
  info: DaemonInfo | undefined
  output = ''

  /** the daemon's environment (benches compare it without DAEMON_ENV) */
  env: NodeJS.ProcessEnv = daemonEnv(TEST_ENV)

  constructor(
    readonly home: string,
    readonly extraArgs: string[] = []
  ) {}

  static async create(extraArgs: string[] = []): Promise<TestDaemon> {
    const home = await mkdtemp(join(tmpdir(), 'kith-test-'))
    return new TestDaemon(home, extraArgs)
  }

  /** Starts the daemon in the foreground as a child process and waits until its API answers. */
  async start(timeoutMs = 20_000): Promise<DaemonInfo> {
    const child = spawn(
      process.execPath,
      [
        ...DAEMON_NODE_FLAGS,
        KITH_BIN,
        'daemon',
        '--home',
        this.home,
        '--http',
        '127.0.0.1:0',
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--no-mdns',
        ...this.extraArgs
      ],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    this.child = child
    child.stdout?.setEncoding('utf8').on('data', d => {
      this.output += String(d)
    })
    child.stderr?.setEncoding('utf8').on('data', d => {
      this.output += String(d)
    })
    let exitCode: number | null = null
    child.once('exit', code => {
      exitCode = code ?? -1
    })
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (exitCode !== null) throw new Error(`daemon exited with ${String(exitCode)} during start-up:\n${this.output}`)
      const info = await readDaemonInfo(this.home)
      if (info !== undefined && info.pid === child.pid) {
        const res = await httpRequest(info, 'GET', '/api/status', undefined, { timeoutMs: 2000 }).catch(() => undefined)
        if (res?.status === 200) {
          this.info = info
          return info
        }
      }
      await new Promise(resolve => setTimeout(resolve, 30))
    }
    throw new Error(`daemon did not answer within ${timeoutMs} ms:\n${this.output}`)
  }

  /**
   * The master password this helper last saw the device use (init, unlock, join through `api`), so
   * that a long test file outliving the 5-minute re-authentication window proves it again the way
   * the CLI and the dashboard do. Tests of re-authentication itself turn `autoReauth` off.
   */
  password: string | undefined
  autoReauth = true

  async api(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    if (this.info === undefined) throw new Error('daemon not started')
    const given = (body as { password?: unknown } | undefined)?.password
    const res = await httpRequest(this.info, method, path, body)
    if (typeof given === 'string' && res.status < 300 && ['/api/init', '/api/unlock', '/api/pairing/join'].includes(path))
      this.password = given
    if (res.status === 403 && res.body?.error?.code === 'reauthentication_required' && (await this.reauthenticate()))
      return await httpRequest(this.info, method, path, body)
    return res
  }

  /** Proves the master password again for the CLI token (true when it could). */
  async reauthenticate(): Promise<boolean> {
    if (!this.autoReauth || this.password === undefined || this.info === undefined) return false
    return (await httpRequest(this.info, 'POST', '/api/reauthenticate', { password: this.password })).status === 200
  }

  async kith(args: string[], stdin?: string): Promise<CliResult> {
    const res = await runKith(this.home, args, stdin)
    if (
      res.code === 3 &&
      /reauthentication_required|needs the master password again/.test(`${res.stdout}${res.stderr}`) &&
      (await this.reauthenticate())
    )
      return await runKith(this.home, args, stdin)
    return res
  }

  async init(password = 'correct horse battery staple'): Promise<void> {
    const res = await this.api('POST', '/api/init', { password })
    if (res.status !== 201) throw new Error(`init failed: ${JSON.stringify(res.body)}`)
  }

  /** SIGTERM, and wait for a clean exit. */
  async stop(): Promise<number | null> {
    const child = this.child
    if (child === undefined || child.exitCode !== null) return child?.exitCode ?? null
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    child.kill('SIGTERM')
    const code = await exited
    this.child = undefined
    return code
  }

  /** SIGKILL: no shutdown, no flush. */
  async kill(): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.child = undefined
  }

  async log(): Promise<string> {
    return this.output + (await readFile(join(this.home, 'daemon.log'), 'utf8').catch(() => ''))
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {})
    await rm(this.home, { recursive: true, force: true })
  }
}
