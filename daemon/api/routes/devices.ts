/**
 * /api/devices and /api/pairing: the device roster, invitations, approving or denying a joiner that
 * waits, joining and removing a device. POST and GET /api/pairing/join are public (a joining device
 * has no vault and no credential yet) but still pass the Host and Origin checks; everything else
 * needs a credential.
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { DevicesPort } from '../ports.js'
import { deviceRevokeQuery, inviteBody, joinBody, jsonBody, queryOf, vaultAccessBody } from '../schemas.js'

export function deviceRoutes(devices: DevicesPort) {
  return (
    new Hono<ApiEnv>()
      .get('/', requireScope('devices:manage'), c => c.json(devices.list(), 200))
      // ?alsoAddedBy=1 also removes the devices only this one had added (the answer lists them either way)
      .delete('/:id', requireScope('devices:manage'), queryOf(deviceRevokeQuery), async c =>
        c.json(await devices.revoke(c.req.param('id'), { alsoAddedBy: c.req.valid('query').alsoAddedBy === '1' }), 200)
      )
      // which vaults a device holds: ungrant rotates that vault's key
      .post('/:id/grant', requireScope('devices:manage'), jsonBody(vaultAccessBody), async c =>
        c.json(await devices.grant(c.req.param('id'), c.req.valid('json').vault), 200)
      )
      .post('/:id/ungrant', requireScope('devices:manage'), jsonBody(vaultAccessBody), async c =>
        c.json(await devices.ungrant(c.req.param('id'), c.req.valid('json').vault), 200)
      )
  )
}

export function pairingRoutes(devices: DevicesPort) {
  return new Hono<ApiEnv>()
    .post('/invite', requireScope('devices:manage'), jsonBody(inviteBody), c => {
      const { ttlSeconds } = c.req.valid('json')
      return c.json(devices.invite(ttlSeconds === undefined ? undefined : ttlSeconds * 1000, c.req.valid('json').vaults), 201)
    })
    .get('/pending', requireScope('devices:manage'), c => c.json(devices.pending(), 200))
    .post('/pending/:id/approve', requireScope('devices:manage'), async c => c.json(await devices.approve(c.req.param('id')), 200))
    .post('/pending/:id/deny', requireScope('devices:manage'), async c => c.json(await devices.deny(c.req.param('id')), 200))
}

export function pairingPublicRoutes(devices: DevicesPort) {
  return new Hono<ApiEnv>()
    .post('/join', jsonBody(joinBody), async c => {
      const { invitation, password, name } = c.req.valid('json')
      return c.json({ ok: true as const, ...(await devices.join(invitation, password, name)) }, 201)
    })
    .get('/join', c => c.json({ joining: devices.joining() }, 200))
}
