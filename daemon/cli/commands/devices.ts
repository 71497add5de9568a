/** kith pair invite · pair join · pair pending · pair approve · pair deny · devices · devices revoke · grant · ungrant */
import { deadlineText, timeAgo } from '../whenText.js'
import { allowOnly, flag, has } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import { passwordFromStdin } from './vault.js'
import { acceptStrength, ALLOW_WEAK } from '../weakSecret.js'
import type { Command } from '../Command.js'
import { readStdinLines } from '../stdin.js'
import { reauthenticate } from '../reauthenticate.js'
import { promptHidden, promptNewPassword } from '../secretInput.js'
import { removalLine } from '../removalLine.js'

const REAUTH_HELP =
  'Needs the master password given in the last 5 minutes: from standard input with --password-stdin, or asked on a terminal.'

export const pairInviteCommand: Command = {
  name: 'pair invite',
  usage: 'kith pair invite [--vaults NAME,…] [--ttl SECONDS] [--password-stdin] [--json]',
  summary:
    'make a one-time invitation (a link, valid 10 minutes at most) for another device to join: to every vault, or with --vaults to those only',
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, ['ttl', 'vaults'], ['password-stdin'])
    const ttl = flag(ctx.args, 'ttl')
    const vaults = flag(ctx.args, 'vaults')
    let body: { ttlSeconds?: number; vaults?: string[] } = {}
    if (ttl !== undefined) {
      const seconds = Number(ttl)
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
        throw new CliError('usage', '--ttl takes 1 to 600 seconds', EXIT.usage)
      body = { ttlSeconds: seconds }
    }
    if (vaults !== undefined)
      body.vaults = vaults
        .split(',')
        .map(v => v.trim())
        .filter(v => v !== '')
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith pair invite')
    const res = await client.json(client.api.pairing.invite.$post({ json: body }))
    ctx.out(
      [
        'On the other device, run (first line the invitation, second its new password):',
        '',
        `  kith pair join --password-stdin`,
        `  ${res.invitation}`,
        '  <new password>',
        '',
        `It admits the new device to: ${res.vaults.join(', ')}. The invitation works once, until ${deadlineText(res.expiresAt)}.`,
        'The new device then shows four words and waits:',
        'approve it here with `kith pair approve ID` only if `kith pair pending` lists the same words (`kith pair deny ID` refuses it).'
      ].join('\n'),
      res
    )
  }
}

/** The longest a join waits for a person on the inviter (an invitation lives 10 minutes at most). */
const JOIN_WAIT_MS = 11 * 60_000

export const pairJoinCommand: Command = {
  name: 'pair join',
  usage:
    'kith pair join [--password-stdin] [--name NAME] [--allow-weak] [--json]   (stdin: the invitation, then the new password; a terminal asks)',
  summary:
    "join another device's vaults (on a device with no vault yet): shows the verification words and waits until the inviter approves; sets this device's own password",
  async run(ctx) {
    allowOnly(ctx.args, ['name'], ['password-stdin', ALLOW_WEAK])
    const onTerminal = process.stdin.isTTY === true
    if (!ctx.args.bools.has('password-stdin') && !onTerminal)
      throw new CliError(
        'usage',
        'usage: kith pair join --password-stdin (the invitation and the new password on standard input)',
        EXIT.usage
      )
    let invitation = ctx.args.positionals[0]
    let password: string
    if (invitation !== undefined) {
      process.stderr.write(
        'kith: warning: an invitation on the command line is visible to other processes and kept in shell history; pass it as the first line of standard input instead\n'
      )
      password = onTerminal
        ? await promptNewPassword("This device's new master password")
        : await passwordFromStdin(ctx, "this device's new master password")
    } else if (onTerminal) {
      // neither the invitation (a bearer secret for every key) nor the password is echoed
      invitation = await promptHidden('Invitation (kith://…, not shown)')
      if (invitation.trim() === '') throw new CliError('usage', 'the invitation is empty', EXIT.usage)
      password = await promptNewPassword("This device's new master password")
    } else {
      const lines = await readStdinLines(2)
      invitation = lines[0] as string
      password = lines[1] as string
      if (invitation.trim() === '') throw new CliError('usage', 'the first line of standard input must be the invitation', EXIT.usage)
      if (password === '')
        throw new CliError('usage', "the second line of standard input must be this device's new master password", EXIT.usage)
    }
    const client = await DaemonClient.connect(ctx.home)
    await acceptStrength(ctx, client, password, "this device's new master password")
    const api = client.patient(JOIN_WAIT_MS)
    let finished = false
    const joined = client.json(api.pairing.join.$post({ json: { invitation, password, name: flag(ctx.args, 'name') } })).finally(() => {
      finished = true
    })
    const shown = showWordsWhileWaiting(client, () => finished)
    const res = await joined
    await shown
    ctx.out(
      `joined: ${res.vaults.length} vault(s) from device ${res.inviter.slice(0, 12)}…; this device is unlocked\nverification words: ${res.words.join(' ')}`,
      res
    )
  }
}

/** Prints the verification words on stderr as soon as the daemon knows them (the join call is still waiting). */
async function showWordsWhileWaiting(client: DaemonClient, finished: () => boolean): Promise<void> {
  while (!finished()) {
    const state = await client.json(client.api.pairing.join.$get()).catch(() => undefined)
    const words = state?.joining?.words ?? []
    if (words.length > 0) {
      const status = await client.json(client.api.status.$get()).catch(() => undefined)
      const self = typeof status?.deviceId === 'string' ? ` ${status.deviceId.slice(0, 16)}` : ''
      process.stderr.write(
        [
          `verification words: ${words.join(' ')}`,
          `Check that the inviting device shows the same words, then approve this device there (kith pair approve${self || ' ID'}, or in its dashboard).`,
          'Waiting for approval…',
          ''
        ].join('\n')
      )
      return
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

export const pairPendingCommand: Command = {
  name: 'pair pending',
  usage: 'kith pair pending [--json]',
  summary: 'list the devices that proved an invitation and wait for approval, with their verification words',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    const pending = await client.json(client.api.pairing.pending.$get())
    const lines = pending.map(
      p => `${p.id.slice(0, 16)}  ${p.name || '(unnamed)'}\twords: ${p.words.join(' ')}\t(until ${deadlineText(p.expiresAt)})`
    )
    ctx.out(lines.length === 0 ? 'no device is waiting for approval' : lines.join('\n'), pending)
  }
}

export const pairApproveCommand: Command = {
  name: 'pair approve',
  usage: 'kith pair approve ID',
  summary: 'let a waiting device in (by id or unique id prefix) once it shows the same words; only now is it sent the vault keys',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const id = ctx.args.positionals[0]
    if (id === undefined) throw new CliError('usage', 'usage: kith pair approve ID', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.pairing.pending[':id'].approve.$post({ param: { id: encodeURIComponent(id) } }))
    ctx.out(`approved device ${res.id.slice(0, 16)}…; it is joining`, res)
  }
}

export const pairDenyCommand: Command = {
  name: 'pair deny',
  usage: 'kith pair deny ID',
  summary: 'refuse a waiting device (by id or unique id prefix); its invitation is used up',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const id = ctx.args.positionals[0]
    if (id === undefined) throw new CliError('usage', 'usage: kith pair deny ID', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.pairing.pending[':id'].deny.$post({ param: { id: encodeURIComponent(id) } }))
    ctx.out(`denied device ${res.id.slice(0, 16)}…; the invitation is used up`, res)
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
    const status = await client.json(client.api.status.$get()).catch(() => undefined)
    const lines = devices.map(
      d =>
        `${d.id.slice(0, 16)}  ${d.name || '(unnamed)'}${d.self ? ' (this device)' : ''}\t${d.online ? 'online' : `offline, last seen ${timeAgo(d.lastSeen)}`}${d.fingerprint === null ? '' : `\tkeys ${d.fingerprint}`}`
    )
    const removed = removalLine(status?.removed).trim()
    ctx.out(removed === '' ? lines.join('\n') : [removed, ...lines].join('\n'), devices)
  }
}

export const devicesRevokeCommand: Command = {
  name: 'devices revoke',
  usage: 'kith devices revoke ID [--with-added] [--password-stdin]',
  summary:
    'remove a device (by id, id prefix, peer id or name): it can read nothing written afterwards, since vault keys rotate; --with-added also removes the devices only it had added',
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [], ['with-added', 'password-stdin'])
    const id = ctx.args.positionals[0]
    if (id === undefined) throw new CliError('usage', 'usage: kith devices revoke ID [--with-added]', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith devices revoke')
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
    usage: `kith devices ${name} ID --vault NAME [--password-stdin]`,
    summary: give
      ? 'give a device a vault: its keys are sealed to it and it syncs the vault'
      : 'take a vault away from a device: the vault key rotates, so it reads nothing written afterwards',
    help: REAUTH_HELP,
    async run(ctx) {
      allowOnly(ctx.args, ['vault'], ['password-stdin'])
      const id = ctx.args.positionals[0]
      const vault = flag(ctx.args, 'vault')
      if (id === undefined || vault === undefined) throw new CliError('usage', `usage: kith devices ${name} ID --vault NAME`, EXIT.usage)
      const client = await DaemonClient.connect(ctx.home)
      await reauthenticate(ctx, client, `kith devices ${name}`)
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
