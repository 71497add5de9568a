/** Helpers for end-to-end tests with paired real daemons. */
import { TestDaemon } from '../../helpers/daemonProcess.js'
import type { Item } from '../../../daemon/vault/Item.js'
import type { JoinResult, PendingJoiner } from '../../../daemon/api/ports.js'

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

/**
 * What a person on the inviting device does once the joiner shows its words: waits until `joiner`
 * is pending there, then approves it (through the CLI or the API). Fails if the join ended first.
 */
export async function approveWhenWaiting(
  inviter: TestDaemon,
  joiner: TestDaemon,
  how: 'cli' | 'api' = 'api',
  joinEnded: () => boolean = () => false
): Promise<PendingJoiner> {
  const joinerId = (await joiner.api('GET', '/api/status')).body.deviceId as string
  const waiting = await until(
    async () => {
      if (joinEnded()) throw new Error('the join ended before the joiner was pending')
      const list = (await inviter.api('GET', '/api/pairing/pending')).body as PendingJoiner[]
      return list.find(p => p.id === joinerId)
      // the joiner derives its new password's key (Argon2id) before it dials: slow on a loaded 2-core host
    },
    'the joiner to wait for approval',
    30_000
  )
  if (how === 'cli') {
    const res = await inviter.kith(['pair', 'approve', joinerId.slice(0, 12)])
    if (res.code !== 0) throw new Error(`pair approve failed: ${res.stderr}`)
  } else {
    const res = await inviter.api('POST', `/api/pairing/pending/${joinerId}/approve`)
    if (res.status !== 200) throw new Error(`approve failed: ${JSON.stringify(res.body)}`)
  }
  return waiting
}

/** Pairs `joiner` (empty) with `inviter` through the CLI, exactly as a person would, approving on the inviter. */
export async function pairByCli(
  inviter: TestDaemon,
  joiner: TestDaemon,
  password = JOIN_PASSWORD
): Promise<{ invitation: string; words: string[]; joined: JoinResult; stderr: string }> {
  const invite = await inviter.kith(['pair', 'invite', '--json'])
  if (invite.code !== 0) throw new Error(`pair invite failed: ${invite.stderr}`)
  const { invitation } = JSON.parse(invite.stdout) as { invitation: string }
  let ended = false
  const joining = joiner.kith(['pair', 'join', '--password-stdin', '--json'], `${invitation}\n${password}\n`).finally(() => {
    ended = true
  })
  const approved = await approveWhenWaiting(inviter, joiner, 'cli', () => ended).catch(async err => {
    const join = await joining
    throw new Error(`${(err as Error).message}: ${join.stderr}${join.stdout}`)
  })
  const join = await joining
  if (join.code !== 0) throw new Error(`pair join failed: ${join.stderr}${join.stdout}`)
  return { invitation, words: approved.words, joined: JSON.parse(join.stdout) as JoinResult, stderr: join.stderr }
}

/** Pairs through the API (faster than spawning the CLI), approving on the inviter. */
export async function pairByApi(inviter: TestDaemon, joiner: TestDaemon, password = JOIN_PASSWORD): Promise<void> {
  const invite = await inviter.api('POST', '/api/pairing/invite', {})
  if (invite.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invite.body)}`)
  let ended = false
  const joining = joiner.api('POST', '/api/pairing/join', { invitation: invite.body.invitation, password }).finally(() => {
    ended = true
  })
  await approveWhenWaiting(inviter, joiner, 'api', () => ended).catch(async err => {
    throw new Error(`${(err as Error).message}: ${JSON.stringify((await joining).body)}`)
  })
  const join = await joining
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
