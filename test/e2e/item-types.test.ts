/**
 * Typed items through real daemons: `kith add --type card` with the number and CVV from stdin
 * (refused on the command line), `kith list` / `kith show` with the type and "expired" / "expires
 * soon", an SSH key from a file; and a card syncing between two paired devices, a typed field
 * edited on the second one coming back to the first.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestDaemon } from '../helpers/daemonProcess.js'
import { daemons, itemOn, pairByCli, until } from '../sync/helpers/daemons.js'

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAQkwfgk6b7mr6k9zLWGBZj5ub6s8/dHsi3QANeDRFhs me@laptop'
const FINGERPRINT = 'SHA256:wbI0pBhtejRVOAnFua+mJirEx9Erls/JWpA4dIOEeGE'

const isoDay = (daysFromNow: number): string => new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10)

describe('typed items through the CLI and between two devices', () => {
  let a: TestDaemon
  let b: TestDaemon
  const scratch = mkdtempSync(join(tmpdir(), 'kith-types-'))
  afterAll(async () => {
    await a?.destroy()
    await b?.destroy()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('kith add --type card reads secret typed fields from stdin only; list and show mark expired and expiring items', async () => {
    ;[a, b] = await daemons(2)
    await a.init()
    const add = await a.kith(
      [
        'add',
        '--type',
        'card',
        '--title',
        'Everyday Visa',
        '--detail',
        'cardholder=Jane Doe',
        '--detail',
        'brand=Visa',
        '--detail',
        'expiry=03/2029',
        '--detail-stdin',
        'number',
        '--detail-stdin',
        'cvv',
        '--expires',
        isoDay(10),
        '--json'
      ],
      '4111 1111 1111 1111\n737\n'
    )
    expect(add.code, add.stderr).toBe(0)
    const cardId = JSON.parse(add.stdout).id as string
    const stored = await itemOn(a, cardId)
    expect(stored).toMatchObject({
      type: 'card',
      card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' }
    })

    const refused = await a.kith(['add', '--type', 'card', '--title', 'x', '--detail', 'number=4111111111111111'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/number is secret: give it with --detail-stdin number/)
    const badMonth = await a.kith(['add', '--type', 'card', '--title', 'x', '--detail', 'expMonth=13', '--json'])
    expect(badMonth.code).not.toBe(0)
    expect(JSON.parse(badMonth.stdout).error.message).toMatch(/card\.expMonth must be a month from 1 to 12/)

    const old = await a.kith(['add', '--title', 'Old VPN', '--username', 'jane', '--expires', '2020-01-01', '--json'])
    expect(old.code, old.stderr).toBe(0)
    const note = await a.kith(['add', '--type', 'note', '--title', 'Alarm code', '--notes', '1234 then #', '--json'])
    expect(note.code, note.stderr).toBe(0)

    const list = await a.kith(['list'])
    expect(list.code, list.stderr).toBe(0)
    const lines = list.stdout.split('\n')
    expect(lines.find(l => l.includes('Everyday Visa'))).toMatch(/\tcard · expires soon \(\d{4}-\d{2}-\d{2}\)$/)
    expect(lines.find(l => l.includes('Old VPN'))).toMatch(/\texpired 2020-01-01$/)
    expect(lines.find(l => l.includes('Alarm code'))).toMatch(/\tnote$/)
    expect(list.stdout).not.toContain('4111')
    const notes = JSON.parse((await a.kith(['list', '--type', 'note', '--json'])).stdout) as Array<{ title: string }>
    expect(notes.map(n => n.title)).toEqual(['Alarm code'])

    const show = await a.kith(['show', cardId])
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toMatch(/^type: +card$/m)
    expect(show.stdout).toMatch(/^number: \*{8}$/m)
    expect(show.stdout).toMatch(/^cvv: \*{8}$/m)
    expect(show.stdout).toMatch(/^brand: Visa$/m)
    expect(show.stdout).toMatch(/expires soon/)
    expect(show.stdout).not.toContain('737')
    expect((await a.kith(['get', cardId, '--field', 'number'])).stdout.trim()).toBe('4111111111111111')

    const keyFile = join(scratch, 'id_ed25519')
    writeFileSync(keyFile, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 })
    const ssh = await a.kith([
      'add',
      '--type',
      'ssh-key',
      '--title',
      'laptop key',
      '--detail',
      `publicKey=${PUBLIC_KEY}`,
      '--detail-file',
      `privateKey=${keyFile}`,
      '--json'
    ])
    expect(ssh.code, ssh.stderr).toBe(0)
    const sshId = JSON.parse(ssh.stdout).id as string
    expect((await itemOn(a, sshId))?.sshKey).toMatchObject({ fingerprint: FINGERPRINT })
    expect((await a.kith(['get', sshId, '--field', 'privateKey'])).stdout).toContain('not-a-real-key')

    const edit = await a.kith(['edit', cardId, '--detail', 'brand=Visa Debit', '--expires', 'never'])
    expect(edit.code, edit.stderr).toBe(0)
    expect(await itemOn(a, cardId)).toMatchObject({ expiresAt: null, card: { brand: 'Visa Debit', number: '4111111111111111' } })
  }, 60_000)

  it('a card syncs to a second device with its type and typed fields; a typed field edited there comes back', async () => {
    const cards = (await a.api('GET', '/api/items?q=Everyday')).body as Array<{ id: string }>
    const id = cards[0]?.id as string
    await pairByCli(a, b)
    const onB = await until(async () => await itemOn(b, id), 'the card on B', 20_000)
    expect(onB).toMatchObject({ type: 'card', card: { brand: 'Visa Debit', number: '4111111111111111', cvv: '737' } })
    expect((await b.api('PATCH', `/api/items/${id}`, { card: { cvv: '999' } })).status).toBe(200)
    const back = await until(
      async () => ((await itemOn(a, id))?.card?.cvv === '999' ? await itemOn(a, id) : undefined),
      'the edit on A',
      20_000
    )
    expect(back).toMatchObject({ type: 'card', card: { cvv: '999', brand: 'Visa Debit' } })
  }, 90_000)
})
