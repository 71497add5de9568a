/**
 * Dashboard sessions. Each open page (tab) holds its own random header token in memory; the
 * browser holds one random value in an HttpOnly cookie, shared by its tabs. A request counts only
 * when both belong to the same session, because cookies alone are shared with every localhost
 * port. Sessions live in memory only, expire when idle, and are all dropped at lock.
 */
import { createHash } from 'node:crypto'
import { randomBytes } from '../../crypto/random.js'
import { toBase64Url } from '../../crypto/bytes.js'
import { constantTimeEqual } from '../../crypto/constantTime.js'

export interface SessionStoreOptions {
  /** a session unused this long is gone; @default 1 hour */
  idleMs?: number
  /** a session older than this is gone however busy; @default 24 hours */
  maxAgeMs?: number
  /** at most this many sessions; the least recently used goes first; @default 16 */
  max?: number
  now?: () => number
}

/** What a page receives when a session opens: the cookie's value and its own header token. */
export interface SessionCredentials {
  /** the cookie value (the same for every tab of one browser while any of its sessions lives) */
  id: string
  token: string
}

interface Session {
  cookie: string
  createdAt: number
  lastSeenAt: number
}

/** Sessions are found by a hash of the token, so the map's own timing says nothing about it. */
const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url')

export class SessionStore {
  private readonly sessions = new Map<string, Session>()
  private readonly idleMs: number
  private readonly maxAgeMs: number
  private readonly max: number
  private readonly now: () => number

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 60 * 60 * 1000
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000
    this.max = options.max ?? 16
    this.now = options.now ?? Date.now
  }

  get size(): number {
    return this.sessions.size
  }

  /**
   * Opens a session with a new 256-bit token. The browser's current cookie is kept when a live
   * session already uses it (so its other tabs keep working); otherwise a new random cookie value.
   */
  create(currentCookie?: string): SessionCredentials {
    this.prune()
    const shared = currentCookie !== undefined && this.cookieInUse(currentCookie)
    const id = shared ? currentCookie : toBase64Url(randomBytes(32))
    const token = toBase64Url(randomBytes(32))
    const now = this.now()
    this.sessions.set(keyOf(token), { cookie: id, createdAt: now, lastSeenAt: now })
    while (this.sessions.size > this.max) {
      let oldest: [string, Session] | undefined
      for (const entry of this.sessions) if (oldest === undefined || entry[1].lastSeenAt < oldest[1].lastSeenAt) oldest = entry
      if (oldest === undefined) break
      this.sessions.delete(oldest[0])
    }
    return { id, token }
  }

  /** True when the token names a live session whose cookie is `cookie`; refreshes its idle timer. */
  check(cookie: string | undefined, token: string | undefined): boolean {
    if (cookie === undefined || token === undefined || cookie === '' || token === '') return false
    const key = keyOf(token)
    const session = this.sessions.get(key)
    if (session === undefined) return false
    if (this.expired(session)) {
      this.sessions.delete(key)
      return false
    }
    if (!constantTimeEqual(session.cookie, cookie)) return false
    session.lastSeenAt = this.now()
    return true
  }

  /** Ends the session of this token; says whether another live session still uses its cookie. */
  drop(token: string): { cookieStillUsed: boolean } {
    const session = this.sessions.get(keyOf(token))
    this.sessions.delete(keyOf(token))
    return { cookieStillUsed: session !== undefined && this.cookieInUse(session.cookie) }
  }

  /** Ends every session (lock, auto-lock). */
  clear(): void {
    this.sessions.clear()
  }

  private cookieInUse(cookie: string): boolean {
    for (const s of this.sessions.values()) if (!this.expired(s) && constantTimeEqual(s.cookie, cookie)) return true
    return false
  }

  private expired(s: Session): boolean {
    const now = this.now()
    return now - s.lastSeenAt > this.idleMs || now - s.createdAt > this.maxAgeMs
  }

  private prune(): void {
    for (const [key, s] of this.sessions) if (this.expired(s)) this.sessions.delete(key)
  }
}
