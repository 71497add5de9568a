/**
 * /api/devices and /api/pairing: the device roster, invitations, approving or denying a joiner that
 * waits, joining and removing a device. POST and GET /api/pairing/join are public (a joining device
 * has no vault and no credential yet) but still pass the Host and Origin checks; everything else
 * needs a credential.
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { DevicesPort } from '../ports.js'
import { backupPeerBody, deviceRevokeQuery, inviteBody, joinBody, jsonBody, queryOf, vaultAccessBody } from '../schemas.js'
import type { RecentProofs } from '../RecentProofs.js'
import type { Context } from 'hono'

export function deviceRoutes(devices: DevicesPort, proofs: RecentProofs) {
  // removing a device, and changing which vaults one holds, need the password proven recently
  const recent = proofs.required()
  return (
    new Hono<ApiEnv>()
      .get('/', requireScope('devices:manage'), c => c.json(devices.list(), 200))
      // a backup peer relays and stores sealed records only; it never gets a key, so no password is asked
      .post('/backup-peers', requireScope('devices:manage'), jsonBody(backupPeerBody), async c => {
        const { address, vault } = c.req.valid('json')
        return c.json(await devices.addBackupPeer(address, vault), 201)
      })
      // ?alsoAddedBy=1 also removes the devices only this one had added (the answer lists them either way)
      .delete('/:id', requireScope('devices:manage'), recent, queryOf(deviceRevokeQuery), async c =>
        c.json(await devices.revoke(c.req.param('id'), { alsoAddedBy: c.req.valid('query').alsoAddedBy === '1' }), 200)
      )
      // which vaults a device holds: ungrant rotates that vault's key
      .post('/:id/grant', requireScope('devices:manage'), recent, jsonBody(vaultAccessBody), async c =>
        c.json(await devices.grant(c.req.param('id'), c.req.valid('json').vault), 200)
      )
      .post('/:id/ungrant', requireScope('devices:manage'), recent, jsonBody(vaultAccessBody), async c =>
        c.json(await devices.ungrant(c.req.param('id'), c.req.valid('json').vault), 200)
      )
  )
}

export function pairingRoutes(devices: DevicesPort, proofs: RecentProofs) {
  return (
    new Hono<ApiEnv>()
      // an invitation hands out vault keys: the password proven recently
      .post('/invite', requireScope('devices:manage'), proofs.required(), jsonBody(inviteBody), c => {
        const { ttlSeconds } = c.req.valid('json')
        return c.json(devices.invite(ttlSeconds === undefined ? undefined : ttlSeconds * 1000, c.req.valid('json').vaults), 201)
      })
      .get('/pending', requireScope('devices:manage'), c => c.json(devices.pending(), 200))
      .post('/pending/:id/approve', requireScope('devices:manage'), async c => c.json(await devices.approve(c.req.param('id')), 200))
      .post('/pending/:id/deny', requireScope('devices:manage'), async c => c.json(await devices.deny(c.req.param('id')), 200))
  )
}

/** `proveCaller` records that the joining caller just set (so proved) its password. */
export function pairingPublicRoutes(devices: DevicesPort, proveCaller: (c: Context<ApiEnv>) => void) {
  return new Hono<ApiEnv>()
    .post('/join', jsonBody(joinBody), async c => {
      const { invitation, password, name } = c.req.valid('json')
      const joined = await devices.join(invitation, password, name)
      proveCaller(c)
      return c.json({ ok: true as const, ...joined }, 201)
    })
    .get('/join', c => c.json({ joining: devices.joining() }, 200))
}
