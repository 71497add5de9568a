/** kith trash · trash empty · trash keep DAYS: emptying the trash, and how long it keeps items by itself. */
import { allowOnly, flag, has } from '../args.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { DaemonClient } from '../DaemonClient.js'

const keeps = (days: number): string =>
  days === 0 ? 'the trash keeps items until you empty it' : `items in the trash are deleted for good ${days} days after their last change`

export const trashCommand: Command = {
  name: 'trash',
  usage: 'kith trash [--json]',
  summary: 'what is in the trash, and how long it keeps items',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    const { days } = await client.json(client.api.trash.$get())
    const items = await client.json(client.api.items.$get({ query: { trashed: 'true' } }))
    ctx.out(`${items.length} item(s) in the trash; ${keeps(days)}`, { items: items.length, days })
  }
}

export const trashEmptyCommand: Command = {
  name: 'trash empty',
  usage: 'kith trash empty --yes [--vault NAME]',
  summary: 'delete every item in the trash for good (of one vault with --vault)',
  async run(ctx) {
    allowOnly(ctx.args, ['vault'], ['yes'])
    if (!has(ctx.args, 'yes')) throw new CliError('usage', 'this deletes every item in the trash for good: add --yes', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const vault = flag(ctx.args, 'vault')
    const { purged } = await client.json(client.api.trash.empty.$post({ json: vault === undefined ? {} : { vault } }))
    ctx.out(`deleted ${purged} item(s) for good`, { purged })
  }
}

export const trashKeepCommand: Command = {
  name: 'trash keep',
  usage: 'kith trash keep DAYS',
  summary: 'delete trashed items for good DAYS after their last change (0: keep them until emptied)',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const raw = ctx.args.positionals[0]
    const days = Number(raw)
    if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(days))
      throw new CliError('usage', `usage: ${trashKeepCommand.usage} (a whole number of days)`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const saved = await client.json(client.api.trash.$patch({ json: { days } }))
    ctx.out(keeps(saved.days), saved)
  }
}
