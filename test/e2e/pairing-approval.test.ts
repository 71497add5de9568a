/**
 * Approval of a new device through the CLI, with two real daemons (child processes, no mDNS,
 * 127.0.0.1): `kith pair join` reads the invitation and the new password from stdin, prints the
 * verification words on stderr and waits; the inviter's `kith pair pending --json` lists the joiner
 * with the same words; `kith pair approve` lets it in, `kith pair deny` makes the join fail; the
 * argument form still works, with a warning.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import { spawn } from 'node:child_process'
import { KITH_BIN, TEST_ENV, type TestDaemon } from '../helpers/daemonProcess.js'
import { approveWhenWaiting, daemons, until, itemOn, PASSWORD, JOIN_PASSWORD } from '../sync/helpers/daemons.js'

interface RunningCli {
  /** stderr so far */
  stderr: () => string
  done: Promise<{ code: number; stdout: string; stderr: string }>
}

/** Starts `kith ARGS` for `d` with `stdin`, so a test can read its stderr while it waits. */
function startKith(d: TestDaemon, args: string[], stdin: string): RunningCli {
  const child = spawn(process.execPath, [KITH_BIN, ...args, '--home', d.home], { env: TEST_ENV, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', s => {
    stdout += String(s)
  })
  child.stderr.setEncoding('utf8').on('data', s => {
    stderr += String(s)
  })
  child.stdin.end(stdin)
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }))
  })
  return { stderr: () => stderr, done }
}

async function printedWords(cli: RunningCli): Promise<string[]> {
  const line = await until(async () => /verification words: ([a-z ]+)\n/.exec(cli.stderr())?.[1], 'the joiner to print its words')
  return line.split(' ')
}

async function invite(a: TestDaemon): Promise<string> {
  const res = await a.kith(['pair', 'invite', '--json'])
  expect(res.code).toBe(0)
  return (JSON.parse(res.stdout) as { invitation: string }).invitation
}

describe('kith pair join waits for a person on the inviting device', () => {
  let a: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  beforeAll(async () => {
    ;[a, b, c] = await daemons(3)
    await a.init(PASSWORD)
  })
  afterAll(async () => {
    for (const d of [a, b, c]) await d?.destroy()
  })

  it('join via stdin: the inviter lists the joiner with the words it printed; approve lets it in', async () => {
    const item = (await a.api('POST', '/api/items', { title: 'Bank', password: 'pw-bank' })).body as { id: string }
    const invitation = await invite(a)
    const started = performance.now()
    const join = startKith(b, ['pair', 'join', '--password-stdin', '--name', 'Laptop', '--json'], `${invitation}\n${JOIN_PASSWORD}\n`)
    const words = await printedWords(join)
    expect(words).toHaveLength(4)
    expect(join.stderr()).not.toMatch(/visible to other processes/)
    const pending = await a.kith(['pair', 'pending', '--json'])
    expect(pending.code).toBe(0)
    const bId = (await b.api('GET', '/api/status')).body.deviceId as string
    expect(JSON.parse(pending.stdout)).toEqual([{ id: bId, name: 'Laptop', words, expiresAt: expect.any(String) }])
    // nothing was sent yet: B is on no roster and holds no key
    expect((await a.api('GET', '/api/devices')).body).toHaveLength(1)
    expect((await b.api('GET', '/api/status')).body.initialized).toBe(false)
    const waited = performance.now()
    const approve = await a.kith(['pair', 'approve', bId.slice(0, 10)])
    expect(approve.code).toBe(0)
    const approvedAt = performance.now()
    const done = await join.done
    expect(done.code).toBe(0)
    expect(JSON.parse(done.stdout)).toMatchObject({ ok: true, deviceId: bId, words, vaults: [expect.any(String)] })
    expect((await b.api('GET', '/api/status')).body).toMatchObject({ initialized: true, locked: false })
    expect(await until(async () => await itemOn(b, item.id), 'the item on B')).toMatchObject({ title: 'Bank' })
    const total = performance.now() - started - (approvedAt - waited)
    process.stdout.write(`pairing through the CLI, person excluded: ${(total / 1000).toFixed(2)} s\n`)
    expect((await a.kith(['pair', 'pending', '--json'])).stdout.trim()).toBe('[]')
    expect(((await a.api('GET', '/api/devices')).body as Array<{ id: string }>).map(d => d.id)).toContain(bId)
  })

  it('deny: the join exits non-zero with a clear message, and the invitation is used up', async () => {
    const invitation = await invite(a)
    const join = startKith(c, ['pair', 'join', '--password-stdin'], `${invitation}\n${JOIN_PASSWORD}\n`)
    await printedWords(join)
    const cId = (await c.api('GET', '/api/status')).body.deviceId as string
    const deny = await a.kith(['pair', 'deny', cId.slice(0, 10)])
    expect(deny.code).toBe(0)
    const done = await join.done
    expect(done.code).not.toBe(0)
    expect(done.stderr).toMatch(/refused this device; the invitation is used up/)
    expect((await c.api('GET', '/api/status')).body.initialized).toBe(false)
    expect(((await a.api('GET', '/api/devices')).body as Array<{ id: string }>).map(d => d.id)).not.toContain(cId)
    const again = await c.kith(['pair', 'join', '--password-stdin'], `${invitation}\n${JOIN_PASSWORD}\n`)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/already used/)
    expect((await a.kith(['pair', 'deny', cId.slice(0, 10)])).code).not.toBe(0)
  })

  it('the invitation as an argument still works, with a warning that argv is visible', async () => {
    const invitation = await invite(a)
    const join = startKith(c, ['pair', 'join', invitation, '--password-stdin'], `${JOIN_PASSWORD}\n`)
    await approveWhenWaiting(a, c)
    const done = await join.done
    expect(done.code).toBe(0)
    expect(done.stderr).toMatch(/warning: an invitation on the command line is visible to other processes/)
    expect((await c.api('GET', '/api/status')).body).toMatchObject({ initialized: true, locked: false })
  })
})
