/** Helpers for end-to-end tests with paired real daemons. */
import { TestDaemon } from '../../helpers/daemonProcess.js'
import type { Item } from '../../../daemon/vault/Item.js'
import type { JoinResult } from '../../../daemon/api/ports.js'

export const PASSWORD = 'correct horse battery staple'
export const JOIN_PASSWORD = 'another fine password'

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`
  )
}

/** Pairs `joiner` (empty) with `inviter` through the CLI, exactly as a person would. */
export async function pairByCli(
  inviter: TestDaemon,
  joiner: TestDaemon,
  password = JOIN_PASSWORD
): Promise<{ invitation: string; code: string; joined: JoinResult }> {
  const invite = await inviter.kith(['pair', 'invite', '--json'])
  if (invite.code !== 0) throw new Error(`pair invite failed: ${invite.stderr}`)
  const { invitation, code } = JSON.parse(invite.stdout) as { invitation: string; code: string }
  const join = await joiner.kith(['pair', 'join', invitation, '--password-stdin', '--json'], `${password}\n`)
  if (join.code !== 0) throw new Error(`pair join failed: ${join.stderr}${join.stdout}`)
  return { invitation, code, joined: JSON.parse(join.stdout) as JoinResult }
}

/** Pairs through the API (faster than spawning the CLI). */
export async function pairByApi(inviter: TestDaemon, joiner: TestDaemon, password = JOIN_PASSWORD): Promise<void> {
  const invite = await inviter.api('POST', '/api/pairing/invite', {})
  if (invite.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invite.body)}`)
  const join = await joiner.api('POST', '/api/pairing/join', { invitation: invite.body.invitation, password })
  if (join.status !== 201) throw new Error(`join failed: ${JSON.stringify(join.body)}`)
}

export async function itemOn(d: TestDaemon, id: string): Promise<Item | undefined> {
  const res = await d.api('GET', `/api/items/${id}`)
  return res.status === 200 ? (res.body as Item) : undefined
}

export async function daemons(n: 2): Promise<[TestDaemon, TestDaemon]>
export async function daemons(n: 3): Promise<[TestDaemon, TestDaemon, TestDaemon]>
export async function daemons(n: number): Promise<TestDaemon[]>
export async function daemons(n: number): Promise<TestDaemon[]> {
  const out: TestDaemon[] = []
  for (let i = 0; i < n; i++) out.push(await TestDaemon.create())
  await Promise.all(out.map(async d => await d.start()))
  return out
}
