/**
 * Round trips across the NAT lab (test/helpers/natLab.ts), measured with small Node processes run
 * in its namespaces: an echo server, or a relay (the first connection it accepts is the far end,
 * every later one is piped to it) with an echo client behind another NAT dialled into it; a prober
 * connects (the TCP handshake is one round trip) and sends lines one after another, each echoed
 * back with the echoer's clock. All processes share this host's monotonic clock, so each round
 * trip splits into its two one-way times. Every process started here is killed by `stop()` by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'

export interface RoundTrips {
  /** from `connect()` to the connection being up: one TCP round trip (SYN, SYN-ACK) */
  connectMs: number
  /** each line there and back */
  rttMs: number[]
  /** prober → echoer, one way */
  outMs: number[]
  /** echoer → prober, one way */
  backMs: number[]
}

const SCRIPT = `
const net = require('node:net')
const [mode, host, port, count] = JSON.parse(process.argv[1])
const now = () => String(process.hrtime.bigint())
const echo = s => {
  s.setNoDelay(true)
  let buf = ''
  s.setEncoding('utf8').on('data', d => {
    buf += d
    let i
    while ((i = buf.indexOf('\\n')) >= 0) { s.write(buf.slice(0, i) + ' ' + now() + '\\n'); buf = buf.slice(i + 1) }
  })
  s.on('error', () => {})
}
if (mode === 'echo-server') net.createServer(echo).listen(port, host, () => console.log('ready'))
if (mode === 'echo-client') { const s = net.connect({ host, port }, () => console.log('ready')); echo(s) }
if (mode === 'relay') {
  let far
  net.createServer(s => {
    s.setNoDelay(true)
    s.on('error', () => {})
    if (far === undefined) { far = s; return }
    s.pipe(far, { end: false }); far.pipe(s, { end: false })
  }).listen(port, host, () => console.log('ready'))
}
if (mode === 'probe') {
  const t0 = process.hrtime.bigint()
  const s = net.connect({ host, port })
  s.setNoDelay(true)
  const out = { connectMs: 0, rttMs: [], outMs: [], backMs: [] }
  const ms = (a, b) => Number(BigInt(b) - BigInt(a)) / 1e6
  let buf = ''
  let seq = 0
  const send = () => s.write(seq + ' ' + now() + '\\n')
  s.once('connect', () => { out.connectMs = ms(t0, now()); send() })
  s.setEncoding('utf8').on('data', d => {
    buf += d
    let i
    while ((i = buf.indexOf('\\n')) >= 0) {
      const back = now()
      const [, sent, echoed] = buf.slice(0, i).split(' ')
      buf = buf.slice(i + 1)
      out.rttMs.push(ms(sent, back)); out.outMs.push(ms(sent, echoed)); out.backMs.push(ms(echoed, back))
      if (++seq === count) { console.log(JSON.stringify(out)); process.exit(0) }
      setTimeout(send, 5)
    }
  })
  s.on('error', e => { console.error(e.message); process.exit(1) })
}
`

export class WanProbe {
  private readonly children: ChildProcess[] = []

  private async start(ns: string, args: unknown[], waitFor: 'ready' | 'exit'): Promise<string> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SCRIPT, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.children.push(child)
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', d => {
      out += String(d)
    })
    child.stderr.setEncoding('utf8').on('data', d => {
      err += String(d)
    })
    return await new Promise((resolve, reject) => {
      if (waitFor === 'ready')
        child.stdout.on('data', () => {
          if (out.includes('ready')) resolve(out)
        })
      child.once('exit', code => {
        if (waitFor === 'exit' && code === 0) resolve(out)
        else reject(new Error(`probe ${JSON.stringify(args)} in ${ns} ended with ${String(code)}: ${err.trim()}`))
      })
    })
  }

  async echoServer(ns: string, host: string, port: number): Promise<void> {
    await this.start(ns, ['echo-server', host, port], 'ready')
  }

  /** A relay on `host:port`: the first connection is the far end, later ones are piped to it. */
  async relay(ns: string, host: string, port: number): Promise<void> {
    await this.start(ns, ['relay', host, port], 'ready')
  }

  /** Dials `host:port` (a relay) and echoes every line it receives. */
  async echoClient(ns: string, host: string, port: number): Promise<void> {
    await this.start(ns, ['echo-client', host, port], 'ready')
  }

  async roundTrips(ns: string, host: string, port: number, count: number): Promise<RoundTrips> {
    return JSON.parse(await this.start(ns, ['probe', host, port, count], 'exit')) as RoundTrips
  }

  stop(): void {
    for (const child of this.children) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL')
    this.children.length = 0
  }
}
