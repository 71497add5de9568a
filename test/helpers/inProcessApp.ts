/** Builds the API app in-process over a memory-backed service: no port, no daemon. */
import { createApp } from '../../daemon/api/createApp.js'
import { eventSourceFrom } from '../../daemon/api/routes/events.js'
import type { Authenticator } from '../../daemon/api/auth.js'
import type { DestroyResult, DevicesPort, SessionPort } from '../../daemon/api/ports.js'
import { Dashboard } from '../../daemon/api/dashboard/Dashboard.js'
import { PortabilityService } from '../../daemon/service/PortabilityService.js'
import type { VaultService } from '../../daemon/service/VaultService.js'
import { memoryService, PASSWORD } from './memoryDevice.js'

export const PORT = 47001
export const TOKEN = 'test-token-0123456789abcdef'

/** The service as the API's session port (the service takes a bare password today). */
export function sessionPortOf (service: VaultService): SessionPort {
  return {
    get initialized () { return service.initialized },
    get unlocked () { return service.unlocked },
    init: async password => { await service.init(password) },
    unlock: async request => { await service.unlock(request.password) },
    lock: async () => { await service.lock() },
    changePassword: async (oldPassword, newPassword) => { await service.changePassword(oldPassword, newPassword) },
    touch: () => { service.touch() }
  }
}

/** A device part with no network: this device alone, invitations refused. */
export function loneDevices (service: VaultService): DevicesPort {
  return {
    list: () => [{ id: service.deviceId, name: 'this device', peerId: '', online: true, lastSeen: null, self: true, addedAt: null, addedBy: null }],
    revoke: async () => { throw Object.assign(new Error('no such device'), { name: 'DeviceNotFoundError' }) },
    invite: () => ({ invitation: 'kith:invitation', code: 'alpha bravo', expiresAt: new Date(0).toISOString() }),
    join: async () => { throw Object.assign(new Error('not in these tests'), { name: 'InvitationError' }) }
  }
}

/** `dashboard: true` adds the dashboard (sessions, login links, its page from an empty folder). */
export async function inProcessApp (options: { init?: boolean, authenticators?: Authenticator[], dashboard?: boolean } = {}) {
  const { service, storage } = await memoryService()
  if (options.init !== false) await service.init(PASSWORD)
  const destroyed: DestroyResult[] = []
  const session = sessionPortOf(service)
  const events = eventSourceFrom([{ emitter: service, events: ['item-changed', 'locked', 'unlocked'] }])
  const dashboard = options.dashboard === true ? new Dashboard({ session, events, port: () => PORT }, { distDir: 'no-such-dir' }) : undefined
  dashboard?.start()
  const app = createApp({
    session,
    items: service,
    vaults: service,
    settings: service,
    transfers: new PortabilityService(service),
    devices: loneDevices(service),
    status: { status: () => ({ running: true, initialized: service.initialized, locked: !service.unlocked }) },
    events,
    destroy: async () => {
      const result: DestroyResult = { destroyed: true, keyRecords: 0, records: 0, files: [], home: '', stopping: false }
      destroyed.push(result)
      return result
    },
    token: TOKEN,
    port: () => PORT,
    authenticators: options.authenticators,
    dashboard
  })
  const request = async (method: string, path: string, init: { body?: unknown, raw?: string, headers?: Record<string, string> } = {}): Promise<Response> => {
    const headers: Record<string, string> = { host: `localhost:${PORT}`, authorization: `Bearer ${TOKEN}`, ...init.headers }
    let body: string | undefined
    if (init.raw !== undefined) body = init.raw
    else if (init.body !== undefined) { body = JSON.stringify(init.body); headers['content-type'] ??= 'application/json' }
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k]
    return await app.request(`http://localhost:${PORT}${path}`, { method, headers, body })
  }
  return { app, service, storage, request, destroyed }
}
