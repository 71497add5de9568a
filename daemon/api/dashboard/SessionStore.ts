/**
 * Dashboard sessions: a random id (kept by the browser in an HttpOnly cookie) paired with a random
 * header token (kept in the page's memory). Both are needed, because cookies are shared by every
 * localhost port. Sessions live in memory only, expire when idle, and are all dropped at lock.
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

/** What a browser receives when a session opens: the cookie's value and the header token. */
export interface SessionCredentials { id: string, token: string }

interface Session { token: string, createdAt: number, lastSeenAt: number }

/** Looks sessions up by a hash of the id, so the map's own timing says nothing about the id. */
const keyOf = (id: string): string => createHash('sha256').update(id).digest('base64url')

export class SessionStore {
  private readonly sessions = new Map<string, Session>()
  private readonly idleMs: number
  private readonly maxAgeMs: number
  private readonly max: number
  private readonly now: () => number

  constructor (options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 60 * 60 * 1000
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000
    this.max = options.max ?? 16
    this.now = options.now ?? Date.now
  }

  get size (): number { return this.sessions.size }

  /** Opens a session (256-bit id and token); evicts the least recently used past the limit. */
  create (): SessionCredentials {
    const id = toBase64Url(randomBytes(32))
    const token = toBase64Url(randomBytes(32))
    const now = this.now()
    this.sessions.set(keyOf(id), { token, createdAt: now, lastSeenAt: now })
    while (this.sessions.size > this.max) {
      let oldest: [string, Session] | undefined
      for (const entry of this.sessions) if (oldest === undefined || entry[1].lastSeenAt < oldest[1].lastSeenAt) oldest = entry
      if (oldest === undefined) break
      this.sessions.delete(oldest[0])
    }
    return { id, token }
  }

  /** True when id and token belong to the same live session; refreshes its idle timer. */
  check (id: string | undefined, token: string | undefined): boolean {
    if (id === undefined || token === undefined || id === '' || token === '') return false
    const key = keyOf(id)
    const session = this.sessions.get(key)
    if (session === undefined) return false
    const now = this.now()
    if (now - session.lastSeenAt > this.idleMs || now - session.createdAt > this.maxAgeMs) {
      this.sessions.delete(key)
      return false
    }
    if (!constantTimeEqual(session.token, token)) return false
    session.lastSeenAt = now
    return true
  }

  drop (id: string): void { this.sessions.delete(keyOf(id)) }

  /** Ends every session (lock, auto-lock). */
  clear (): void { this.sessions.clear() }
}
