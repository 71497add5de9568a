/** kith trash empty · kith trash auto-purge [DAYS] */
import { allowOnly, flag } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'

const plural = (n: number): string => `${n} item${n === 1 ? '' : 's'}`

export const trashEmptyCommand: Command = {
  name: 'trash empty',
  usage: 'kith trash empty [--vault NAME]',
  summary: 'delete every item in the trash for good (of one vault with --vault), history included',
  async run(ctx) {
    allowOnly(ctx.args, ['vault'])
    const vault = flag(ctx.args, 'vault')
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.trash.empty.$post({ json: vault === undefined ? {} : { vault } }))
    ctx.out(res.purged === 0 ? 'the trash is empty' : `deleted ${plural(res.purged)} for good`, res)
  }
}

export const trashAutoPurgeCommand: Command = {
  name: 'trash auto-purge',
  usage: 'kith trash auto-purge [DAYS]',
  summary: 'show or set after how many days trashed items are deleted for good (0: never, the default)',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const days = ctx.args.positionals[0]
    if (days !== undefined && !/^[0-9]+$/.test(days))
      throw new CliError('usage', `DAYS is a whole number of days (0: never), got ${JSON.stringify(days)}`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res =
      days === undefined
        ? await client.json(client.api.trash.$get())
        : await client.json(client.api.trash.$patch({ json: { purgeAfterDays: Number(days) } }))
    ctx.out(
      res.purgeAfterDays === 0
        ? 'trashed items stay until you delete them'
        : `trashed items are deleted for good after ${res.purgeAfterDays} day${res.purgeAfterDays === 1 ? '' : 's'}`,
      res
    )
  }
}
