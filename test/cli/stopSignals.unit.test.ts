/**
 * A SIGTERM that comes while a daemon is still starting (daemon.json is written before start ends,
 * so `kith stop` may send one then) is kept and acted on once it has started, not Node's default
 * of ending the process at once with nothing stopped. Run in a child process: signals are per process.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const module = fileURLToPath(new URL('../../daemon/cli/stopSignals.ts', import.meta.url))

function run(code: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString()
  })
  return new Promise(resolve => child.once('exit', (c, signal) => resolve({ code: c, signal, out })))
}

describe('stop signals heard from before a long-running command has started', () => {
  it('a SIGTERM during start is acted on once started, with its reason', async () => {
    const r = await run(`
      const { listenForStopSignals } = await import(${JSON.stringify(module)})
      const signals = listenForStopSignals()
      process.kill(process.pid, 'SIGTERM')
      await new Promise(resolve => setTimeout(resolve, 200)) // still "starting"
      console.log('started')
      signals.onStop(reason => { console.log('stopping: ' + reason); process.exit(0) })
      setTimeout(() => process.exit(3), 2000)
    `)
    expect(r).toEqual({ code: 0, signal: null, out: 'started\nstopping: received SIGTERM\n' })
  })

  it('a signal after start calls the handler then', async () => {
    const r = await run(`
      const { listenForStopSignals } = await import(${JSON.stringify(module)})
      const signals = listenForStopSignals()
      signals.onStop(reason => { console.log('stopping: ' + reason); process.exit(0) })
      console.log('started')
      process.kill(process.pid, 'SIGINT')
      setTimeout(() => process.exit(3), 2000)
    `)
    expect(r).toEqual({ code: 0, signal: null, out: 'started\nstopping: received SIGINT\n' })
  })
})
