/**
 * /api/devices and /api/pairing: the device roster, invitations, joining and removing a device.
 * POST /api/pairing/join is public (a joining device has no vault and no credential yet) but still
 * passes the Host and Origin checks; everything else needs a credential.
 */
import { Hono } from 'hono'
import { readJson, optionalString, requiredString } from '../readJson.js'
import { HttpError } from '../errors.js'

export interface DeviceJson {
  id: string
  name: string
  peerId: string
  online: boolean
  /** ISO 8601, or null when never seen */
  lastSeen: string | null
  self: boolean
  addedAt: string | null
  addedBy: string | null
}

/** What these routes need; the composition root passes an object that fits. */
export interface DevicesPort {
  list: () => DeviceJson[]
  revoke: (idOrName: string) => Promise<{ id: string, revoked: true, rotated: Array<{ vaultId: string, epoch: number }> }>
  invite: (ttlMs?: number) => { invitation: string, code: string, expiresAt: string }
  join: (invitation: string, password: string, name?: string) => Promise<{ deviceId: string, inviter: string, vaults: string[], code: string }>
}

export function deviceRoutes (devices: DevicesPort) {
  return new Hono()
    .get('/', c => c.json(devices.list()))
    .delete('/:id', async c => c.json(await devices.revoke(c.req.param('id'))))
}

export function pairingRoutes (devices: DevicesPort) {
  return new Hono()
    .post('/invite', async c => {
      const length = c.req.header('content-length')
      const body = length !== undefined && length !== '0' ? await readJson(c) : {}
      let ttlMs: number | undefined
      if (body.ttlSeconds !== undefined) {
        if (typeof body.ttlSeconds !== 'number' || !(body.ttlSeconds > 0)) throw new HttpError(400, 'invalid_request', 'ttlSeconds must be a positive number')
        ttlMs = body.ttlSeconds * 1000
      }
      return c.json(devices.invite(ttlMs), 201)
    })
}

export function pairingPublicRoutes (devices: DevicesPort) {
  return new Hono()
    .post('/join', async c => {
      const body = await readJson(c)
      const result = await devices.join(requiredString(body, 'invitation'), requiredString(body, 'password'), optionalString(body, 'name'))
      return c.json({ ok: true, ...result }, 201)
    })
}
