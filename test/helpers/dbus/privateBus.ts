/**
 * A private D-Bus system bus for a test: `dbus-daemon` with a configuration written into a
 * temporary directory, listening on a socket there. A test points a daemon or watcher at it with
 * `DBUS_SYSTEM_BUS_ADDRESS`. Tests that need it are skipped loudly when `dbus-daemon` or `gdbus`
 * is missing, and fail under CI=true (missingBusTools).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The programs these tests need that are not installed (Debian packages `dbus-daemon` and `libglib2.0-bin`). */
export function missingBusTools(): string[] {
  return ['dbus-daemon', 'gdbus'].filter(p => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0)
}

/** A loud notice for a skipped test file naming the missing programs. */
export function busToolsNotice(what: string, missing: string[]): string {
  const inCi = process.env.CI === 'true'
  const bar = '!'.repeat(78)
  return `\n${bar}\n!! ${missing.join(', ')} NOT FOUND: ${what} ${inCi ? 'is FAILING (CI=true)' : 'is SKIPPED'}.\n!! Install the Debian packages dbus-daemon and libglib2.0-bin.\n${bar}\n`
}

function config(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
`
}

export class PrivateBus {
  private constructor(
    readonly dir: string,
    readonly address: string,
    private readonly child: ChildProcess
  ) {}

  static async start(): Promise<PrivateBus> {
    const dir = await mkdtemp(join(tmpdir(), 'kith-dbus-'))
    const socket = join(dir, 'system_bus_socket')
    await writeFile(join(dir, 'bus.conf'), config(socket))
    const child = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--print-address'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const address = await new Promise<string>((resolve, reject) => {
      let out = ''
      let err = ''
      child.stderr.setEncoding('utf8').on('data', d => {
        err += String(d)
      })
      child.stdout.setEncoding('utf8').on('data', d => {
        out += String(d)
        if (out.includes('\n')) resolve(out.trim())
      })
      child.once('error', reject)
      child.once('exit', code => reject(new Error(`dbus-daemon exited with ${String(code)}: ${err}`)))
    })
    return new PrivateBus(dir, address, child)
  }

  /** An environment whose system bus is this one. */
  env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...base, DBUS_SYSTEM_BUS_ADDRESS: this.address }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise(resolve => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      await exited
    }
    await rm(this.dir, { recursive: true, force: true })
  }
}
