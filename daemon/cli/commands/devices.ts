/** kith pair invite · pair join · devices · devices revoke */
import { allowOnly, flag, has } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import { passwordFromStdin } from './vault.js'
import type { Command } from '../Command.js'

export const pairInviteCommand: Command = {
  name: 'pair invite',
  usage: 'kith pair invite [--ttl SECONDS] [--json]',
  summary: 'make a one-time invitation (a link, valid 10 minutes at most) for another device to join',
  async run(ctx) {
    allowOnly(ctx.args, ['ttl'])
    const ttl = flag(ctx.args, 'ttl')
    let body: { ttlSeconds?: number } = {}
    if (ttl !== undefined) {
      const seconds = Number(ttl)
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
        throw new CliError('usage', '--ttl takes 1 to 600 seconds', EXIT.usage)
      body = { ttlSeconds: seconds }
    }
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.pairing.invite.$post({ json: body }))
    ctx.out(
      [
        'On the other device, run:',
        '',
        `  kith pair join '${res.invitation}' --password-stdin`,
        '',
        `Both devices show the code ${res.code} once paired. The invitation works once, until ${res.expiresAt}.`
      ].join('\n'),
      res
    )
  }
}

export const pairJoinCommand: Command = {
  name: 'pair join',
  usage: 'kith pair join INVITATION --password-stdin [--name NAME] [--json]',
  summary: "join another device's vaults with its invitation (on a device with no vault yet); sets this device's own password",
  async run(ctx) {
    allowOnly(ctx.args, ['name'], ['password-stdin'])
    const invitation = ctx.args.positionals[0]
    if (invitation === undefined) throw new CliError('usage', 'usage: kith pair join INVITATION --password-stdin', EXIT.usage)
    const password = await passwordFromStdin(ctx, "this device's new master password")
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.pairing.join.$post({ json: { invitation, password, name: flag(ctx.args, 'name') } }))
    ctx.out(
      `joined: ${res.vaults.length} vault(s) from device ${res.inviter.slice(0, 12)}…; this device is unlocked\nconfirmation code: ${res.code} (the inviting device showed the same)`,
      res
    )
  }
}

export const devicesCommand: Command = {
  name: 'devices',
  usage: 'kith devices [--json]',
  summary: 'list the devices on the roster, whether each is online, and when it was last seen',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    const devices = await client.json(client.api.devices.$get())
    const lines = devices.map(
      d =>
        `${d.id.slice(0, 16)}  ${d.name || '(unnamed)'}${d.self ? ' (this device)' : ''}\t${d.online ? 'online' : `offline, last seen ${d.lastSeen ?? 'never'}`}${d.fingerprint === null ? '' : `\tkeys ${d.fingerprint}`}`
    )
    ctx.out(lines.join('\n'), devices)
  }
}

export const devicesRevokeCommand: Command = {
  name: 'devices revoke',
  usage: 'kith devices revoke ID [--with-added]',
  summary:
    'remove a device (by id, id prefix, peer id or name): it can read nothing written afterwards, since vault keys rotate; --with-added also removes the devices only it had added',
  async run(ctx) {
    allowOnly(ctx.args, [], ['with-added'])
    const id = ctx.args.positionals[0]
    if (id === undefined) throw new CliError('usage', 'usage: kith devices revoke ID [--with-added]', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(
      client.api.devices[':id'].$delete({
        param: { id: encodeURIComponent(id) },
        query: has(ctx.args, 'with-added') ? { alsoAddedBy: '1' } : {}
      })
    )
    const lines = [`removed device ${res.id.slice(0, 16)}…; ${res.rotated.length} vault key(s) rotated`]
    for (const d of res.alsoRemoved) lines.push(`also removed ${d.slice(0, 16)}…, which only it had added`)
    if (res.addedOnlyByIt.length > 0)
      lines.push(
        `it had added ${res.addedOnlyByIt.length} device(s) still on the roster: ${res.addedOnlyByIt.map(d => d.slice(0, 16)).join(', ')}; ` +
          `remove them too with \`kith devices revoke ID\` each (or next time --with-added)`
      )
    ctx.out(lines.join('\n'), res)
  }
}

function accessCommand(give: boolean): Command {
  const name = give ? 'grant' : 'ungrant'
  return {
    name: `devices ${name}`,
    usage: `kith devices ${name} ID --vault NAME`,
    summary: give
      ? 'give a device a vault: its keys are sealed to it and it syncs the vault'
      : 'take a vault away from a device: the vault key rotates, so it reads nothing written afterwards',
    async run(ctx) {
      allowOnly(ctx.args, ['vault'])
      const id = ctx.args.positionals[0]
      const vault = flag(ctx.args, 'vault')
      if (id === undefined || vault === undefined) throw new CliError('usage', `usage: kith devices ${name} ID --vault NAME`, EXIT.usage)
      const client = await DaemonClient.connect(ctx.home)
      const input = { param: { id: encodeURIComponent(id) }, json: { vault } }
      const device = client.api.devices[':id']
      const res = await client.json(give ? device.grant.$post(input) : device.ungrant.$post(input))
      const rotated = res.rotated.length > 0 ? `; the vault key rotated` : ''
      ctx.out(`device ${res.id.slice(0, 16)}… now holds: ${res.vaults.join(', ') || '(no vault)'}${rotated}`, res)
    }
  }
}

export const devicesGrantCommand = accessCommand(true)
export const devicesUngrantCommand = accessCommand(false)
