/**
 * The only module that talks to the daemon: a typed client over fetch. The session's header token
 * lives in this module's memory only (never in storage, never in a URL); the HttpOnly cookie rides
 * along by itself. A 401 means the session is gone (lock, expiry), and listeners hear about it.
 */
import type { DaemonEvent, Device, GeneratorOptions, Invitation, Item, ItemInput, Settings, Status, TotpCode, VaultInfo } from './types.js'

const SESSION_HEADER = 'X-Kith-Session'

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly retryAfter?: number) {
    super(message)
    this.name = 'ApiError'
  }
}

let sessionToken: string | undefined
const lostListeners = new Set<() => void>()

/** Called when a request finds the session gone; returns an unsubscribe function. */
export function onSessionLost (listener: () => void): () => void {
  lostListeners.add(listener)
  return () => lostListeners.delete(listener)
}

export const hasSession = (): boolean => sessionToken !== undefined

/** Forgets the session token (after lock, or when the daemon says it is gone). */
export function forgetSession (): void { sessionToken = undefined }

function headers (body: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' }
  if (body) h['Content-Type'] = 'application/json'
  if (sessionToken !== undefined) h[SESSION_HEADER] = sessionToken
  return h
}

async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store'
  })
  const text = await res.text()
  let parsed: unknown = null
  try { parsed = text === '' ? null : JSON.parse(text) } catch {}
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string, message?: string } } | null)?.error
    const retry = res.headers.get('Retry-After')
    const err = new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `the daemon answered ${res.status}`, retry === null ? undefined : Number(retry))
    if (res.status === 401 && err.code === 'unauthorized' && sessionToken !== undefined) {
      sessionToken = undefined
      for (const l of lostListeners) l()
    }
    throw err
  }
  return parsed as T
}

/** Keeps the token a successful unlock, init or login-link redemption answered with. */
function keep<T extends { sessionToken?: string }> (answer: T): T {
  if (typeof answer.sessionToken === 'string') sessionToken = answer.sessionToken
  return answer
}

const q = (params: Record<string, string | undefined>): string => {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, v)
  const text = s.toString()
  return text === '' ? '' : `?${text}`
}

export const api = {
  status: () => call<Status>('GET', '/api/status'),
  init: async (password: string) => keep(await call<Status & { sessionToken?: string }>('POST', '/api/init', { password })),
  unlock: async (password: string) => keep(await call<{ ok: true, sessionToken?: string }>('POST', '/api/unlock', { password })),
  redeemLogin: async (code: string) => keep(await call<{ ok: true, sessionToken?: string }>('POST', '/api/session/redeem', { code })),
  lock: async () => {
    const token = sessionToken
    // the lock event may arrive (and the user unlock again) before this answer: keep a newer session
    try { await call('POST', '/api/lock') } finally { if (sessionToken === token) forgetSession() }
  },

  items: (filter: { vault?: string, trashed?: boolean } = {}) =>
    call<Item[]>('GET', `/api/items${q({ vault: filter.vault, trashed: filter.trashed === true ? 'true' : undefined })}`),
  item: (id: string) => call<Item>('GET', `/api/items/${encodeURIComponent(id)}`),
  /** The current state of several items at once; `missing` lists those that no longer exist. */
  itemsById: (ids: string[]) => call<{ items: Item[], missing: string[] }>('GET', `/api/dashboard/items${q({ ids: ids.join(',') })}`),
  createItem: (input: ItemInput) => call<{ id: string, item: Item }>('POST', '/api/items', input),
  updateItem: (id: string, patch: ItemInput) => call<Item>('PATCH', `/api/items/${encodeURIComponent(id)}`, patch),
  trashItem: (id: string) => call<{ id: string }>('DELETE', `/api/items/${encodeURIComponent(id)}`),
  purgeItem: (id: string) => call<{ id: string }>('DELETE', `/api/items/${encodeURIComponent(id)}?purge=true`),
  restoreItem: (id: string) => call<Item>('POST', `/api/items/${encodeURIComponent(id)}/restore`),
  totp: (id: string) => call<TotpCode>('GET', `/api/items/${encodeURIComponent(id)}/totp`),

  vaults: () => call<VaultInfo[]>('GET', '/api/vaults'),
  createVault: (name: string) => call<VaultInfo>('POST', '/api/vaults', { name }),

  settings: () => call<Settings>('GET', '/api/settings'),
  saveSettings: (settings: Partial<Settings>) => call<Settings>('PATCH', '/api/settings', settings),
  changePassword: (oldPassword: string, newPassword: string) => call<{ ok: true }>('POST', '/api/password', { oldPassword, newPassword }),
  generate: (options: GeneratorOptions) => call<{ password: string }>('POST', '/api/generate', options),

  migrate: (input: { from: string, to: string, orgDomain: string, dryRun: boolean }) =>
    call<{ moved: string[], kept: string[], dryRun: boolean, details: Array<{ id: string, title: string, action: 'move' | 'keep', reason: string }> }>('POST', '/api/migrate', input),
  destroy: () => call<{ destroyed: boolean, keyRecords: number, records: number }>('POST', '/api/destroy', { confirm: true }),
  importFile: (input: { format: string, data: string, vault?: string, password?: string }) =>
    call<{ imported: number, skipped: number, vault: string, vaults: Array<{ name: string, imported: number }> }>('POST', '/api/import', input),
  /** POST /api/export answers the file itself (octet-stream), named in Content-Disposition. */
  async exportFile (input: { format: string, vault?: string, password?: string }): Promise<{ blob: Blob, name: string, count: number }> {
    const res = await fetch('/api/export', { method: 'POST', headers: headers(true), body: JSON.stringify(input), credentials: 'same-origin', cache: 'no-store' })
    if (!res.ok) {
      const body = await res.json().catch(() => null) as { error?: { code?: string, message?: string } } | null
      throw new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `the daemon answered ${res.status}`)
    }
    const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'kith-export'
    return { blob: await res.blob(), name, count: Number(res.headers.get('X-Kith-Items') ?? 0) }
  },

  devices: () => call<Device[]>('GET', '/api/devices'),
  invite: () => call<Invitation>('POST', '/api/pairing/invite', {}),
  join: (invitation: string, password: string, name?: string) => call<Record<string, unknown>>('POST', '/api/pairing/join', { invitation, password, name }),
  revokeDevice: (id: string) => call<unknown>('DELETE', `/api/devices/${encodeURIComponent(id)}`),

  /**
   * Follows GET /api/events until `signal` aborts. EventSource cannot send the session header,
   * so this reads the text/event-stream body of a fetch. Resolves when the stream ends.
   */
  async events (onEvent: (event: DaemonEvent) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch('/api/events', { headers: { ...headers(false), Accept: 'text/event-stream' }, credentials: 'same-origin', cache: 'no-store', signal })
    if (!res.ok || res.body === null) {
      if (res.status === 401 && sessionToken !== undefined) { sessionToken = undefined; for (const l of lostListeners) l() }
      throw new ApiError(res.status, 'events_failed', `the event stream answered ${res.status}`)
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        let type = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim()
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
        }
        let parsed: unknown = null
        try { parsed = JSON.parse(data.join('\n')) } catch {}
        onEvent({ type, data: parsed } as DaemonEvent)
      }
    }
  }
}
