/**
 * The ways a user starts a daemon, for benches that compare them: `kith daemon` in a terminal (a
 * foreground child, stopped by SIGINT as Ctrl-C does), `npm start` in the checkout (stopped by
 * `kith stop`), and `kith start` (background, stopped by `kith stop`). Each gets a shell's
 * environment, without the daemon's allocator setting: the daemon must set up its own runtime.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readDaemonInfo, httpRequest, type DaemonInfo } from '../daemon/cli/DaemonClient.js'
import { DAEMON_ENV } from '../daemon/installRoot.js'
import { RUNTIME_MARKER } from '../daemon/runtime/daemonRuntime.js'
import { KITH_BIN, REPO_ROOT, runKith } from '../test/helpers/daemonProcess.js'

export interface RunningDaemon {
  info: DaemonInfo
  /** the process that serves the API (after any re-exec) */
  pid: number
  /** the process the user started, when it is not the daemon itself */
  launcherPid?: number
  stop: () => Promise<void>
}

export interface DaemonWay {
  name: string
  /** how it is started, for the results */
  command: string
  start: (home: string) => Promise<RunningDaemon>
}

const DAEMON_ARGS = ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns']

/** A shell's environment: no allocator setting, no re-exec marker; no mDNS, the Argon2id floor. */
export function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KITH_MDNS: '0', KITH_KDF_MS: '0' }
  for (const name of [...Object.keys(DAEMON_ENV), RUNTIME_MARKER]) delete env[name]
  return env
}

async function answering(home: string, launcher: ChildProcess | undefined, output: () => string, timeoutMs = 60_000): Promise<DaemonInfo> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (launcher !== undefined && (launcher.exitCode !== null || launcher.signalCode !== null))
      throw new Error(`the daemon exited during start-up:\n${output()}`)
    const info = await readDaemonInfo(home)
    if (info !== undefined) {
      const res = await httpRequest(info, 'GET', '/api/status', undefined, { timeoutMs: 2000 }).catch(() => undefined)
      if (res?.status === 200) return info
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`the daemon did not answer within ${timeoutMs} ms:\n${output()}`)
}

function foreground(command: string, args: string[], cwd?: string): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn(command, args, { cwd, env: shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', d => {
    output = (output + String(d)).slice(-20_000)
  })
  child.stderr?.setEncoding('utf8').on('data', d => {
    output = (output + String(d)).slice(-20_000)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  return { child, output: () => output, exited }
}

async function kithStop(home: string): Promise<void> {
  const res = await runKith(home, ['stop'], undefined, shellEnv())
  if (res.code !== 0) throw new Error(`kith stop failed: ${res.stderr}`)
}

export const KITH_DAEMON: DaemonWay = {
  name: 'kith daemon',
  command: 'kith daemon (foreground in a terminal, no runtime flags or allocator setting given)',
  async start(home) {
    const p = foreground(process.execPath, [KITH_BIN, 'daemon', '--home', home, ...DAEMON_ARGS])
    const info = await answering(home, p.child, p.output)
    return {
      info,
      pid: info.pid,
      launcherPid: p.child.pid,
      stop: async () => {
        p.child.kill('SIGINT')
        await p.exited
      }
    }
  }
}

export const NPM_START: DaemonWay = {
  name: 'npm start',
  command: 'npm start (in the checkout: builds, then node bin/kith.js daemon)',
  async start(home) {
    const p = foreground('npm', ['start', '--silent', '--', '--home', home, ...DAEMON_ARGS], REPO_ROOT)
    const info = await answering(home, p.child, p.output, 180_000)
    return {
      info,
      pid: info.pid,
      launcherPid: p.child.pid,
      stop: async () => {
        await kithStop(home)
        await p.exited
      }
    }
  }
}

export const KITH_START: DaemonWay = {
  name: 'kith start',
  command: 'kith start (background daemon)',
  async start(home) {
    const res = await runKith(home, ['start', '--json', ...DAEMON_ARGS], undefined, shellEnv())
    if (res.code !== 0) throw new Error(`kith start failed: ${res.stderr}`)
    const info = await answering(home, undefined, () => res.stderr)
    return {
      info,
      pid: info.pid,
      stop: async () => {
        await kithStop(home)
      }
    }
  }
}

export const WAYS = [KITH_DAEMON, NPM_START, KITH_START]
