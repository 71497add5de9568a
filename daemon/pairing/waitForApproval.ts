/**
 * The inviter's side of the wait for a person: a proven joiner is listed as pending and nothing is
 * sent to it but keep-alives until someone approves it (then `welcome` sends the roster and its
 * vault keys), denies it, its invitation expires, or it leaves (its stream ends).
 */
import type { FrameStream } from '../network/NetworkAdapter.js'
import { encodePair, PairType } from './messages.js'
import type { PendingApprovals, PendingJoiner, PendingOutcome } from './PendingApprovals.js'
import { PendingJoinerNotFoundError } from './errors.js'

/** the inviter tells a waiting joiner it is still there this often (idle streams close after 2 minutes) */
export const WAITING_INTERVAL_MS = 20_000

export interface ApprovalRequest {
  stream: FrameStream
  /** how often the joiner is told we are still there */
  keepAliveMs: number
  pending: PendingApprovals
  joiner: PendingJoiner
  /** tells the joiner it waits (PENDING) */
  announce: () => Promise<void>
  /** throws (and the joiner keeps waiting) when this device cannot approve now, e.g. it is locked */
  checkCanApprove: () => void
  /** adds the joiner to the roster and sends it WELCOME */
  welcome: () => Promise<void>
  /** a person decided: the invitation is used up */
  useUp: () => void
}

export interface ApprovalResult {
  outcome: PendingOutcome
  /** the joiner's next frame (DONE after an approval), read ahead to notice it leaving */
  next: Promise<Uint8Array | undefined>
}

export async function waitForApproval(request: ApprovalRequest): Promise<ApprovalResult> {
  const { stream, pending, joiner } = request
  const next = stream.read()
  let result: PendingOutcome | undefined
  let wake: (outcome: PendingOutcome) => void = () => {}
  const settled = new Promise<PendingOutcome>(resolve => {
    wake = resolve
  })
  const settle = (outcome: PendingOutcome): void => {
    if (result !== undefined) return
    result = outcome
    wake(outcome)
  }
  // the joiner sends nothing while it waits: a frame or the stream's end means it left
  next.then(
    () => settle('gone'),
    () => settle('gone')
  )
  const expiry = setTimeout(() => settle('expired'), Math.max(0, Date.parse(joiner.expiresAt) - Date.now()))
  const keepAlive = setInterval(() => {
    stream.write(encodePair({ type: PairType.Waiting })).catch(() => settle('gone'))
  }, request.keepAliveMs)
  const claim = (outcome: 'approved' | 'denied'): void => {
    if (result !== undefined) throw new PendingJoinerNotFoundError(joiner.id)
    result = outcome
    request.useUp()
  }
  pending.add(joiner, {
    approve: async () => {
      request.checkCanApprove()
      claim('approved')
      try {
        await request.welcome()
      } catch (err) {
        wake('gone')
        throw err
      }
      wake('approved')
    },
    deny: async () => {
      claim('denied')
      wake('denied')
    }
  })
  try {
    await request.announce()
    const outcome = await settled
    return { outcome, next }
  } finally {
    clearTimeout(expiry)
    clearInterval(keepAlive)
    pending.remove(joiner.id, result ?? 'gone')
  }
}
