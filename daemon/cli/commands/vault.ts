/** kith init · unlock · lock · vault list · vault create */
import { countOf } from '../countOf.js'
import { allowOnly } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { readStdinLine } from '../stdin.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command, CommandContext } from '../Command.js'
import { promptNewPassword } from '../secretInput.js'
import { acceptStrength, ALLOW_WEAK } from '../weakSecret.js'

export async function passwordFromStdin(ctx: CommandContext, what = 'the master password'): Promise<string> {
  if (!ctx.args.bools.has('password-stdin'))
    throw new CliError('usage', `pass ${what} on standard input with --password-stdin (never on the command line)`, EXIT.usage)
  const password = await readStdinLine()
  if (password === '') throw new CliError('usage', `${what} read from standard input is empty`, EXIT.usage)
  return password
}

export const initCommand: Command = {
  name: 'init',
  usage: 'kith init [--password-stdin] [--allow-weak]',
  summary: "create this device's keys and a first vault named Personal; leaves it unlocked",
  help: [
    'On a terminal it asks for the new master password twice, without echo; scripts give it as one line of standard input with --password-stdin.',
    'A weak password (the strength estimator scores it below 3 of 4) is used only once confirmed at the terminal or with --allow-weak;',
    'from standard input in a script it is used with a warning.'
  ].join('\n'),
  async run(ctx) {
    allowOnly(ctx.args, [], ['password-stdin', ALLOW_WEAK])
    const password = process.stdin.isTTY === true ? await promptNewPassword() : await passwordFromStdin(ctx)
    const client = await DaemonClient.connect(ctx.home)
    await acceptStrength(ctx, client, password, 'the new master password')
    const status = await client.json(client.api.init.$post({ json: { password } }))
    ctx.out(`initialised; vault "Personal" created and unlocked\ndashboard: ${String(status.url)}`, {
      ok: true,
      initialized: true,
      locked: false,
      deviceId: status.deviceId,
      peerId: status.peerId
    })
  }
}

export const lockCommand: Command = {
  name: 'lock',
  usage: 'kith lock',
  summary: 'lock the vault: keys and decrypted items leave memory',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    await client.json(client.api.lock.$post())
    ctx.out('locked', { ok: true, locked: true })
  }
}

export const vaultListCommand: Command = {
  name: 'vault list',
  usage: 'kith vault list [--json]',
  summary: 'list vaults',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    const vaults = await client.json(client.api.vaults.$get())
    ctx.out(vaults.map(v => `${v.name}\t${countOf(v.items, 'item')}\t${v.id}`).join('\n'), vaults)
  }
}

export const vaultCreateCommand: Command = {
  name: 'vault create',
  usage: 'kith vault create NAME',
  summary: 'create a vault with its own key',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const name = ctx.args.positionals[0]
    if (name === undefined) throw new CliError('usage', 'usage: kith vault create NAME', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const vault = await client.json(client.api.vaults.$post({ json: { name } }))
    ctx.out(`created vault ${vault.name}`, vault)
  }
}
