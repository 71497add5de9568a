/**
 * One configuration the CLI respects (issue 15 item 2, newcomer report F6, F25): flags given to
 * `kith start` are saved in HOME/config.json (0600), so the CLI's auto-start after `kith stop` keeps
 * `--no-mdns` and the listen address — and says which settings it uses; `kith config set` changes
 * them; a taken dashboard port is said loudly, never quietly.
 */
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKith } from '../helpers/daemonProcess.js'

describe('the daemon config file', () => {
  let home: string
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kith-config-'))
  })
  afterAll(async () => {
    await runKith(home, ['stop'])
    await rm(home, { recursive: true, force: true })
  })

  it('kith start saves its flags; the auto-start after a stop uses them and names them', async () => {
    const started = await runKith(home, ['start', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0'])
    expect(started.code, started.stderr).toBe(0)
    const file = join(home, 'config.json')
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ http: '127.0.0.1:0', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await runKith(home, ['stop'])).code).toBe(0)

    // no flags this time: a plain command starts the daemon with the saved settings, and says so
    const status = await runKith(home, ['vault', 'list', '--json'])
    expect(status.stderr).toContain('config.json')
    expect(status.stderr).toContain('mDNS off')
    expect(status.stderr).toContain('/ip4/127.0.0.1/tcp/0')
    const full = JSON.parse((await runKith(home, ['status', '--json'])).stdout)
    expect(full.multiaddrs.every((a: string) => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)
    const log = await readFile(join(home, 'daemon.log'), 'utf8')
    expect(log).not.toMatch(/mdns (started|on)/i)
  })

  it('kith config set and unset change the file; bad values are refused', async () => {
    expect((await runKith(home, ['config', 'set', 'logLevel', 'warn'])).code).toBe(0)
    const bad = await runKith(home, ['config', 'set', 'http', '0.0.0.0:7370'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('loopback')
    expect((await runKith(home, ['config', 'set', 'nonsense', '1'])).code).toBe(2)
    const shown = JSON.parse((await runKith(home, ['config', '--json'])).stdout)
    expect(shown).toMatchObject({ logLevel: 'warn', mdns: false })
    expect((await runKith(home, ['config', 'unset', 'logLevel'])).code).toBe(0)
    expect(JSON.parse((await runKith(home, ['config', '--json'])).stdout).logLevel).toBeUndefined()
  })

  it('a taken dashboard port is said loudly by kith start, the log and kith open', async () => {
    const other = await mkdtemp(join(tmpdir(), 'kith-port-'))
    // hold the usual port when it is free (when something else already holds it, that serves too)
    const squatter: Server = createServer((_req, res) => res.end('not kith'))
    await new Promise<void>(resolve => {
      squatter.once('error', () => resolve())
      squatter.listen(7370, '127.0.0.1', () => resolve())
    })
    try {
      const started = await runKith(other, ['start', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'])
      expect(started.code, started.stderr).toBe(0)
      expect(started.stderr).toContain('port 7370 was taken')
      const open = await runKith(other, ['open', '--no-open'])
      expect(open.stderr).toContain('port 7370 was taken')
      expect(await readFile(join(other, 'daemon.log'), 'utf8')).toContain('usual port 7370 is taken')
    } finally {
      await runKith(other, ['stop'])
      squatter.close()
      await rm(other, { recursive: true, force: true })
    }
  })
})
