/**
 * Re-authentication, as sudo does it: the actions that take data or trust off this device
 * (exports, invitations, removing or granting devices, turning auto-lock off or up, destroy) need
 * the master password proven by the same caller within the last few minutes, not just a live
 * session. Each caller has its own clock: the CLI's token, and each dashboard session (a page
 * opened from a `kith open` link has proven nothing until it unlocks or re-enters the password).
 * Proofs live in memory only.
 */
import { createHash } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { ApiEnv } from './auth.js'
import { HttpError } from './errors.js'
import type { Principal } from './Principal.js'

/** how long a proven password lets a caller do the guarded actions */
export const REAUTH_WINDOW_MS = 5 * 60_000

export interface RecentProofsOptions {
  /** shorter than REAUTH_WINDOW_MS only: a longer one is cut to it */
  windowMs?: number
  now?: () => number
}

/** A caller's own clock: one per dashboard session (by a hash of its token), one per other kind of caller. */
export function callerKey(principal: Pick<Principal, 'kind'>, dashboardSession: string | undefined): string {
  if (dashboardSession !== undefined) return sessionCallerKey(dashboardSession)
  return principal.kind
}

export const sessionCallerKey = (sessionToken: string): string => `session:${createHash('sha256').update(sessionToken).digest('base64url')}`

/** The caller of an authenticated request. */
export function callerOf(c: Context<ApiEnv>): string {
  return callerKey(c.get('principal'), c.get('dashboardSession'))
}

export class ReauthenticationRequiredError extends HttpError {
  constructor() {
    super(
      403,
      'reauthentication_required',
      'this needs the master password again: prove it with POST /api/reauthenticate {"password"} (the CLI reads it with --password-stdin or asks on a terminal)'
    )
    this.name = 'ReauthenticationRequiredError'
  }
}

export class RecentProofs {
  private readonly provenAt = new Map<string, number>()
  readonly windowMs: number
  private readonly now: () => number

  constructor(options: RecentProofsOptions = {}) {
    const asked = options.windowMs ?? REAUTH_WINDOW_MS
    this.windowMs = Number.isFinite(asked) && asked >= 0 ? Math.min(asked, REAUTH_WINDOW_MS) : REAUTH_WINDOW_MS
    this.now = options.now ?? Date.now
  }

  /** The caller just proved the master password (unlock, init, join, a password change, re-authentication). */
  prove(caller: string): void {
    const now = this.now()
    for (const [key, at] of this.provenAt) if (now - at >= this.windowMs) this.provenAt.delete(key)
    this.provenAt.set(caller, now)
  }

  /** When the caller's proof runs out (epoch ms), or null when it has none that counts. */
  validUntil(caller: string): number | null {
    const at = this.provenAt.get(caller)
    if (at === undefined) return null
    const until = at + this.windowMs
    return until > this.now() ? until : null
  }

  /** Throws ReauthenticationRequiredError unless the request's caller proved the password recently. */
  check(c: Context<ApiEnv>): void {
    if (this.validUntil(callerOf(c)) === null) throw new ReauthenticationRequiredError()
  }

  /** The route middleware: after the scope check, before the body is read. */
  required(): MiddlewareHandler<ApiEnv> {
    return async (c, next) => {
      this.check(c)
      await next()
    }
  }

  /** A session that ended (lock, logout) keeps no proof. */
  forget(caller: string): void {
    this.provenAt.delete(caller)
  }
}
