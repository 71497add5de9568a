/**
 * kith factors (list) · factors add totp|recovery-key · factors confirm · factors remove · factors
 * rename · factors log: this device's unlock methods. Every change asks for the master password
 * again unless it was given in the last few minutes (reauthenticate.ts). Passkeys are added in
 * the dashboard (WebAuthn needs a browser: `kith open`).
 */
import { timeAgo } from '../whenText.js'
import { allowOnly, flag } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { reauthenticate } from '../reauthenticate.js'

const REAUTH_HELP =
  'Needs the master password given in the last 5 minutes: from standard input with --password-stdin, or asked on a terminal.'
const param = (id: string): { id: string } => ({ id: encodeURIComponent(id) })

export const factorsCommand: Command = {
  name: 'factors',
  usage: 'kith factors [--json]',
  summary: "list this device's unlock methods: password, passkeys, authenticator app (TOTP), recovery key",
  async run(ctx) {
    allowOnly(ctx.args, [])
    if (ctx.args.positionals.length > 0)
      throw new CliError('usage', `unknown subcommand "factors ${ctx.args.positionals[0] as string}" (see kith factors --help)`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const factors = await client.json(client.api.factors.$get())
    const rows = factors.map(
      f =>
        `${f.id}\t${f.kind}\t${f.name}${f.confirmed ? '' : ' (not confirmed yet)'}\tadded ${f.createdAt === null ? 'before this list' : timeAgo(f.createdAt)}\tlast used ${timeAgo(f.lastUsedAt)}`
    )
    ctx.out(
      rows.join('\n'),
      factors.map(({ id, kind, name, createdAt, lastUsedAt, confirmed }) => ({ id, kind, name, createdAt, lastUsedAt, confirmed }))
    )
  }
}

export const factorsAddCommand: Command = {
  name: 'factors add',
  usage: 'kith factors add totp|recovery-key [--name NAME] [--password-stdin] [--json]',
  summary: 'add an authenticator app (active once confirmed with a code) or a recovery key (shown once; it replaces the old one)',
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, ['name'], ['password-stdin'])
    const what = ctx.args.positionals[0]
    if (what !== 'totp' && what !== 'recovery-key') throw new CliError('usage', 'usage: kith factors add totp|recovery-key', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, `kith factors add ${what}`)
    if (what === 'totp') {
      const name = flag(ctx.args, 'name')
      const res = await client.json(client.api.factors.totp.$post({ json: name === undefined ? {} : { name } }))
      ctx.out(
        [
          'Add this account to your authenticator app (scan the URI as a QR code, or type the secret):',
          '',
          `  secret: ${res.secret}`,
          `  uri:    ${res.uri}`,
          '',
          `Then turn it on with the app's current code: kith factors confirm ${res.id} --code CODE`,
          'Until then unlocking does not ask for a code.'
        ].join('\n'),
        res
      )
      return
    }
    const res = await client.json(client.api.factors['recovery-key'].$post())
    ctx.out(
      [
        `Recovery key (shown this once; any earlier one no longer works):`,
        '',
        `  ${res.recoveryKey}`,
        '',
        'Write it down or print it and keep it away from this computer. With it, `kith unlock --recovery-key-stdin`',
        'unlocks this device when the master password is lost, and sets a new one.'
      ].join('\n'),
      res
    )
  }
}

export const factorsConfirmCommand: Command = {
  name: 'factors confirm',
  usage: 'kith factors confirm ID --code CODE [--password-stdin]',
  summary: "turn on an authenticator app added with `kith factors add totp`, with the app's current code",
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, ['code'], ['password-stdin'])
    const id = ctx.args.positionals[0]
    const code = flag(ctx.args, 'code')
    if (id === undefined || code === undefined) throw new CliError('usage', 'usage: kith factors confirm ID --code CODE', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith factors confirm')
    const res = await client.json(client.api.factors[':id'].confirm.$post({ param: param(id), json: { code } }))
    ctx.out(`authenticator "${res.name}" is on: unlocking with the password now also asks for its code`, res)
  }
}

export const factorsRemoveCommand: Command = {
  name: 'factors remove',
  usage: 'kith factors remove ID [--password-stdin]',
  summary: 'remove an unlock method or the authenticator (the last way to unlock is never removed)',
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [], ['password-stdin'])
    const id = ctx.args.positionals[0]
    if (id === undefined) throw new CliError('usage', 'usage: kith factors remove ID', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith factors remove')
    const res = await client.json(client.api.factors[':id'].$delete({ param: param(id) }))
    ctx.out(`removed ${res.kind} "${res.name}"`, res)
  }
}

export const factorsRenameCommand: Command = {
  name: 'factors rename',
  usage: 'kith factors rename ID NAME [--password-stdin]',
  summary: 'rename an unlock method',
  help: REAUTH_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [], ['password-stdin'])
    const [id, name] = ctx.args.positionals
    if (id === undefined || name === undefined) throw new CliError('usage', 'usage: kith factors rename ID NAME', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith factors rename')
    const res = await client.json(client.api.factors[':id'].$patch({ param: param(id), json: { name } }))
    ctx.out(`renamed to "${res.name}"`, res)
  }
}

export const factorsLogCommand: Command = {
  name: 'factors log',
  usage: 'kith factors log [--json]',
  summary: 'what changed in the unlock methods, and when (no secret)',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    const entries = await client.json(client.api.factors.log.$get())
    ctx.out(entries.map(e => `${e.at}\t${e.action}\t${e.kind}\t${e.name}\t${e.id}`).join('\n') || 'no changes recorded', entries)
  }
}
