/** Builds the API app in-process over a device the composition root built on memory storage: no port, no daemon. */
import { createApp } from '../../daemon/api/createApp.js'
import { eventSourceFrom } from '../../daemon/api/routes/events.js'
import type { Authenticator } from '../../daemon/api/auth.js'
import type { RecentProofsOptions } from '../../daemon/api/RecentProofs.js'
import type { DestroyResult, DevicesPort } from '../../daemon/api/ports.js'
import { Dashboard } from '../../daemon/api/dashboard/Dashboard.js'
import type { FullDevice } from '../../daemon/compose.js'
import { memoryService, PASSWORD } from './memoryDevice.js'

export const PORT = 47001
export const TOKEN = 'test-token-0123456789abcdef'

/** A device part with no network: this device alone, invitations refused. */
export function loneDevices(device: FullDevice): DevicesPort {
  return {
    list: () => [
      {
        id: device.identity.deviceId,
        name: 'this device',
        peerId: '',
        online: true,
        lastSeen: null,
        self: true,
        addedAt: null,
        addedBy: null,
        kind: 'device',
        vaults: [],
        fingerprint: null,
        connection: null
      }
    ],
    revoke: async () => {
      throw Object.assign(new Error('no such device'), { name: 'DeviceNotFoundError' })
    },
    grant: async () => {
      throw Object.assign(new Error('no such device'), { name: 'DeviceNotFoundError' })
    },
    ungrant: async () => {
      throw Object.assign(new Error('no such device'), { name: 'DeviceNotFoundError' })
    },
    invite: () => ({ invitation: 'kith:invitation', expiresAt: new Date(0).toISOString(), vaults: [] }),
    join: async () => {
      throw Object.assign(new Error('not in these tests'), { name: 'InvitationError' })
    },
    joining: () => null,
    pending: () => [],
    approve: async id => {
      throw Object.assign(new Error(`no device ${id} is waiting for approval`), { name: 'PendingJoinerNotFoundError' })
    },
    deny: async id => {
      throw Object.assign(new Error(`no device ${id} is waiting for approval`), { name: 'PendingJoinerNotFoundError' })
    },
    addBackupPeer: async () => {
      throw Object.assign(new Error('not a backup peer address'), { name: 'DeviceRequestError' })
    }
  }
}

/** `dashboard: true` adds the dashboard (sessions, login links, its page from an empty folder). */
/** `reauth` sets the re-authentication window and clock; guarded routes need `reauthenticate()` first (or an unlock through the API). */
export async function inProcessApp(
  options: { init?: boolean; authenticators?: Authenticator[]; dashboard?: boolean; reauth?: RecentProofsOptions } = {}
) {
  const { service, storage, device } = await memoryService()
  if (options.init !== false) await service.init(PASSWORD)
  const destroyed: DestroyResult[] = []
  const session = device.unlock
  const events = eventSourceFrom(device.feeds)
  const dashboard =
    options.dashboard === true ? new Dashboard({ session, events, port: () => PORT }, { distDir: 'no-such-dir' }) : undefined
  dashboard?.start()
  const app = createApp({
    session,
    items: device.items,
    attachments: device.attachments,
    vaults: device.items,
    trash: device.trash,
    settings: device.unlock,
    transfers: device.portability,
    health: device.health,
    devices: loneDevices(device),
    passkeys: device.passkeys,
    factors: device.factors,
    status: {
      status: () => ({
        running: true,
        initialized: service.initialized,
        locked: !service.unlocked,
        deviceId: device.identity.deviceId,
        pid: process.pid
      })
    },
    events,
    destroy: async () => {
      const result: DestroyResult = {
        destroyed: true,
        keyRecords: 0,
        records: 0,
        files: [],
        home: '',
        stopping: false,
        removedFromRoster: false,
        acknowledgedBy: [],
        hint: null
      }
      destroyed.push(result)
      return result
    },
    token: TOKEN,
    port: () => PORT,
    authenticators: options.authenticators,
    dashboard,
    reauth: options.reauth
  })
  const request = async (
    method: string,
    path: string,
    init: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}
  ): Promise<Response> => {
    const headers: Record<string, string> = { host: `localhost:${PORT}`, authorization: `Bearer ${TOKEN}`, ...init.headers }
    let body: string | undefined
    if (init.raw !== undefined) body = init.raw
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body)
      headers['content-type'] ??= 'application/json'
    }
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k]
    return await app.request(`http://localhost:${PORT}${path}`, { method, headers, body })
  }
  /** proves the master password for the CLI token's caller (as `kith` does before a guarded action) */
  const reauthenticate = async (password = PASSWORD): Promise<Response> =>
    await request('POST', '/api/reauthenticate', { body: { password } })
  return { app, service, device, storage, request, destroyed, reauthenticate }
}
