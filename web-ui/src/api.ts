/**
 * The only module that talks to the daemon: Hono's typed client over the daemon's AppType (types
 * only; the bundle holds no daemon code). The session's header token lives in this module's memory
 * only (never in storage, never in a URL); the HttpOnly cookie rides along by itself. A 401 means
 * the session is gone (lock, expiry), and listeners hear about it.
 */
import { hc } from 'hono/client'
import type { AppType } from '../../daemon/api/createApp.js'
import type { DaemonEvent, GeneratorOptions, ItemInput, PassphraseOptions, Settings } from './types.js'

const SESSION_HEADER = 'X-Kith-Session'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

let sessionToken: string | undefined
const lostListeners = new Set<() => void>()

/** Called when a request finds the session gone; returns an unsubscribe function. */
export function onSessionLost(listener: () => void): () => void {
  lostListeners.add(listener)
  return () => lostListeners.delete(listener)
}

/** @public the page's own code asks only through 401s; tests ask directly */
export const hasSession = (): boolean => sessionToken !== undefined

/** Forgets the session token (after lock, or when the daemon says it is gone). */
export function forgetSession(): void {
  sessionToken = undefined
}

function sessionLost(): void {
  if (sessionToken === undefined) return
  sessionToken = undefined
  for (const l of lostListeners) l()
}

/** @internal the attachment upload (an XMLHttpRequest, for its progress) sends the same header */
export const sessionHeaders = (): Record<string, string> => (sessionToken === undefined ? {} : { [SESSION_HEADER]: sessionToken })

/** fetch with the session header, same-origin credentials and no caching. */
const sessionFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers)
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  if (sessionToken !== undefined) headers.set(SESSION_HEADER, sessionToken)
  return await fetch(input, { ...init, headers, credentials: 'same-origin', cache: 'no-store' })
}

/** @internal the lazily loaded passkey modules call through the same client */
export const client = hc<AppType>(location.origin, { fetch: sessionFetch }).api
export type ApiClient = typeof client

/** The answer of a typed call, or an ApiError with the daemon's code and message. @internal the attachment upload reads its answer here too */
export async function ok<R extends Response>(call: Promise<R>): Promise<R> {
  const res = await call
  if (res.ok) return res
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null
  const retry = res.headers.get('Retry-After')
  const err = new ApiError(
    res.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? `the daemon answered ${res.status}`,
    retry === null ? undefined : Number(retry)
  )
  if (res.status === 401 && err.code === 'unauthorized') sessionLost()
  throw err
}

/**
 * Who asks the person for the master password when the daemon wants it again (re-authentication):
 * resolves the password, or null when they cancel. `problem` says why the last one was refused.
 */
type PasswordAsker = (problem?: string) => Promise<string | null>
let askPassword: PasswordAsker | undefined

/** The dialog registers here; returns an unsubscribe function. */
export function onReauthentication(asker: PasswordAsker): () => void {
  askPassword = asker
  return () => {
    if (askPassword === asker) askPassword = undefined
  }
}

/**
 * A guarded action (export, invitation, device changes, auto-lock off, destroy): when the daemon
 * says this page's proof of the master password ran out (or it never gave one), asks for it,
 * proves it, then makes the call. A wrong password asks again; cancelling throws ApiError `cancelled`.
 */
export async function guarded<R extends Response>(make: () => Promise<R>): Promise<R> {
  const { required } = await json(client.reauthenticate.$get())
  let problem: string | undefined
  while (required && askPassword !== undefined) {
    const password = await askPassword(problem)
    if (password === null) throw new ApiError(403, 'cancelled', 'Cancelled: this needs your master password')
    try {
      await ok(client.reauthenticate.$post({ json: { password } })).catch(async (err: unknown) => {
        // a device that unlocks with the password and a passkey together proves both
        if (!(err instanceof ApiError) || err.code !== 'passkey_required') throw err
        await (await import('./passkeyUnlock.js')).proveWithPasskey(password)
      })
      break
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'wrong_password') throw err
      problem = 'That is not the master password'
    }
  }
  return await ok(make())
}

/** The JSON body of a typed call (see `ok`). */
export async function json<R extends Response & { json: () => Promise<unknown> }>(
  call: Promise<R>
): Promise<Awaited<ReturnType<R['json']>>> {
  return (await (await ok(call)).json()) as Awaited<ReturnType<R['json']>>
}

/** Keeps the token a successful unlock, init or login-link redemption answered with. */
export function keep<T extends { sessionToken?: string }>(answer: T): T {
  if (typeof answer.sessionToken === 'string') sessionToken = answer.sessionToken
  return answer
}

const id = (value: string): { id: string } => ({ id: encodeURIComponent(value) })

export const api = {
  status: async () => await json(client.status.$get()),
  init: async (password: string) => keep(await json(client.init.$post({ json: { password } }))),
  /** `totp`: the authenticator app's current code, when the device has one (the daemon answers second_factor_required) */
  unlock: async (password: string, totp?: string) =>
    keep(await json(client.unlock.$post({ json: totp === undefined ? { password } : { password, totp } }))),
  /** unlocks with the recovery key; the answer says a new password must be set (setNewPassword) */
  unlockWithRecoveryKey: async (recoveryKey: string) => keep(await json(client.unlock.$post({ json: { recoveryKey } }))),
  /** after a recovery-key unlock: the new master password, without the old one */
  setNewPassword: async (newPassword: string) => await json(client.password.$post({ json: { newPassword } })),
  redeemLogin: async (code: string) => keep(await json(client.session.redeem.$post({ json: { code } }))),
  lock: async () => {
    const token = sessionToken
    // the lock event may arrive (and the user unlock again) before this answer: keep a newer session
    try {
      await ok(client.lock.$post())
    } finally {
      if (sessionToken === token) forgetSession()
    }
  },

  items: async (filter: { vault?: string; trashed?: boolean } = {}) =>
    await json(
      client.items.$get({
        query: { vault: filter.vault === '' ? undefined : filter.vault, trashed: filter.trashed === true ? 'true' : undefined }
      })
    ),
  /** Every item, live or not, with the daemon's count of item changes when it listed them (x-kith-changes). */
  allItems: async (trashed: boolean) => {
    const res = await ok(client.items.$get({ query: { trashed: trashed ? 'true' : undefined } }))
    const changes = Number(res.headers.get('x-kith-changes') ?? Number.NaN)
    return { items: await res.json(), changes }
  },
  item: async (itemId: string) => await json(client.items[':id'].$get({ param: id(itemId) })),
  /** The current state of several items at once; `missing` lists those that no longer exist. */
  itemsById: async (ids: string[]) => await json(client.dashboard.items.$get({ query: { ids: ids.join(',') } })),
  createItem: async (input: ItemInput) => await json(client.items.$post({ json: input })),
  updateItem: async (itemId: string, patch: ItemInput) => await json(client.items[':id'].$patch({ param: id(itemId), json: patch })),
  trashItem: async (itemId: string) => await json(client.items[':id'].$delete({ param: id(itemId), query: {} })),
  purgeItem: async (itemId: string) => await json(client.items[':id'].$delete({ param: id(itemId), query: { purge: 'true' } })),
  restoreItem: async (itemId: string) => await json(client.items[':id'].restore.$post({ param: id(itemId) })),
  totp: async (itemId: string) => await json(client.items[':id'].totp.$get({ param: id(itemId) })),

  vaults: async () => await json(client.vaults.$get()),
  createVault: async (name: string) => await json(client.vaults.$post({ json: { name } })),

  settings: async () => await json(client.settings.$get()),
  saveSettings: async (settings: Partial<Settings>) => await json(guarded(() => client.settings.$patch({ json: settings }))),
  changePassword: async (oldPassword: string, newPassword: string) =>
    await json(client.password.$post({ json: { oldPassword, newPassword } })),
  generate: async (options: GeneratorOptions) => await json(client.generate.$post({ json: options })),
  passphrase: async (options: PassphraseOptions) => await json(client.generate.passphrase.$post({ json: options })),
  /** the daemon's strength verdict (the CLI's too): the password goes in the body, never the URL */
  strength: async (password: string) => await json(client.strength.$post({ json: { password } })),
  health: async () => await json(client.health.$get()),

  migrate: async (input: { from: string; to: string; orgDomain: string | string[]; dryRun: boolean; keep?: string[] }) =>
    await json(client.migrate.$post({ json: input })),
  destroy: async () => await json(guarded(() => client.destroy.$post({ json: { confirm: true } }))),
  importFile: async (input: { format: string; data: string; vault?: string; password?: string }) =>
    await json(client.import.$post({ json: input })),
  /** POST /api/export answers the file itself (octet-stream), named in Content-Disposition. */
  async exportFile(input: { format: string; vault?: string; password?: string }): Promise<{ blob: Blob; name: string; count: number }> {
    const res = await guarded(() => client.export.$post({ json: input }))
    const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'kith-export'
    return { blob: await res.blob(), name, count: Number(res.headers.get('X-Kith-Items') ?? 0) }
  },

  /** the passkey unlock ceremony's options (public; `options: null` when the device has no passkey) */
  passkeyUnlockOptions: async () => await json(client.passkeys.unlock.options.$post()),
  factors: async () => await json(client.factors.$get()),
  factorLog: async () => await json(client.factors.log.$get()),
  addTotp: async (name?: string) => await json(guarded(() => client.factors.totp.$post({ json: name === undefined ? {} : { name } }))),
  confirmTotp: async (factorId: string, code: string) =>
    await json(guarded(() => client.factors[':id'].confirm.$post({ param: id(factorId), json: { code } }))),
  addRecoveryKey: async () => await json(guarded(() => client.factors['recovery-key'].$post())),
  removeFactor: async (factorId: string) => await json(guarded(() => client.factors[':id'].$delete({ param: id(factorId) }))),
  renameFactor: async (factorId: string, name: string) =>
    await json(guarded(() => client.factors[':id'].$patch({ param: id(factorId), json: { name } }))),

  devices: async () => await json(client.devices.$get()),
  invite: async () => await json(guarded(() => client.pairing.invite.$post({ json: {} }))),
  join: async (invitation: string, password: string, name?: string) =>
    await json(client.pairing.join.$post({ json: { invitation, password, name } })),
  revokeDevice: async (deviceId: string, alsoAddedBy = false) =>
    await json(guarded(() => client.devices[':id'].$delete({ param: id(deviceId), query: alsoAddedBy ? { alsoAddedBy: '1' } : {} }))),
  waitingDevices: async () => await json(client.pairing.pending.$get()),
  approveDevice: async (deviceId: string) => await json(client.pairing.pending[':id'].approve.$post({ param: id(deviceId) })),
  denyDevice: async (deviceId: string) => await json(client.pairing.pending[':id'].deny.$post({ param: id(deviceId) })),
  /** on a joining device: its verification words once the inviter answered */
  joining: async () => (await json(client.pairing.join.$get())).joining,

  /**
   * Follows GET /api/events until `signal` aborts. EventSource cannot send the session header,
   * so this reads the text/event-stream body of a fetch. Resolves when the stream ends.
   */
  async events(onEvent: (event: DaemonEvent) => void, signal: AbortSignal): Promise<void> {
    const res = await sessionFetch('/api/events', { headers: { Accept: 'text/event-stream' }, signal })
    if (!res.ok || res.body === null) {
      if (res.status === 401) sessionLost()
      throw new ApiError(res.status, 'events_failed', `the event stream answered ${res.status}`)
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        let type = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim()
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
        }
        let parsed: unknown = null
        try {
          parsed = JSON.parse(data.join('\n'))
        } catch {}
        onEvent({ type, data: parsed } as DaemonEvent)
      }
    }
  }
}
