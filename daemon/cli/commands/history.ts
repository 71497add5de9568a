/** kith history ID · kith history restore ID VERSION */
import { allowOnly, positionals } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import type { Command } from '../Command.js'
import type { HistoryVersion } from '../../api/ports.js'

const MASK = '********'

/** A value as the human text shows it: secrets masked, lists joined, custom fields by name. */
function shown(field: string, secret: boolean, value: unknown): string {
  if (value === null || value === undefined) return field === 'totp' ? '(none)' : ''
  if (secret && field !== 'fields') return value === '' ? '(empty)' : MASK
  if (field === 'fields' && Array.isArray(value))
    return (value as Array<{ name: string; value: string; hidden: boolean }>).map(f => `${f.name}=${f.hidden ? MASK : f.value}`).join(', ')
  if (Array.isArray(value)) return value.join(', ')
  return JSON.stringify(value)
}

/** One version: when, which device, then each field's change (secret values masked: --json has them). */
function versionText(v: HistoryVersion): string {
  const who = v.imported ? 'imported' : `device ${v.device ?? '?'}`
  const lines = [`${v.version}  ${v.at}  ${who}`]
  for (const c of v.changes)
    lines.push(
      c.omitted
        ? `  ${c.field}: changed (too large to keep)`
        : `  ${c.field}: ${shown(c.field, c.secret, c.from)} → ${shown(c.field, c.secret, c.to)}`
    )
  return lines.join('\n')
}

export const historyCommand: Command = {
  name: 'history',
  usage: 'kith history ID [--json]',
  summary: "an item's versions, newest first: when, which device, each field's old and new value (secrets masked; --json has them)",
  async run(ctx) {
    allowOnly(ctx.args, [])
    const [id = ''] = positionals(ctx.args, 1, historyCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.items[':id'].history.$get({ param: { id: encodeURIComponent(id) } }))
    ctx.out(res.versions.length === 0 ? `${id} has no older versions` : res.versions.map(versionText).join('\n'), res)
  }
}

export const historyRestoreCommand: Command = {
  name: 'history restore',
  usage: 'kith history restore ID VERSION',
  summary: 'put an item back as it was before VERSION (a new edit, synced like any other)',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const [id = '', version = ''] = positionals(ctx.args, 2, historyRestoreCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const item = await client.json(
      client.api.items[':id'].history[':version'].restore.$post({
        param: { id: encodeURIComponent(id), version: encodeURIComponent(version) }
      })
    )
    ctx.out(`restored ${id} to before version ${version}`, item)
  }
}
