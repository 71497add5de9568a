/** kith attach · kith attachment get · kith attachment rm: files on items, streamed to and from the daemon. */
import { lstat, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { allowOnly, flag, has, positionals } from '../args.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { DaemonClient } from '../DaemonClient.js'
import { downloadFile, uploadFile } from '../fileStream.js'
import type { AttachmentInfo } from '../../vault/Item.js'

/** "1.4 MB" */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB']
  let n = bytes / 1000
  let unit = 0
  while (n >= 1000 && unit < units.length - 1) {
    n /= 1000
    unit++
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[unit]}`
}

/** The item's file named NAME (or of that id). */
async function fileOn(client: DaemonClient, id: string, name: string): Promise<AttachmentInfo> {
  const item = await client.json(client.api.items[':id'].$get({ param: { id: encodeURIComponent(id) } }))
  const found = item.attachments.find(a => a.name === name) ?? item.attachments.find(a => a.id === name)
  if (found === undefined) {
    const names = item.attachments.map(a => JSON.stringify(a.name)).join(', ')
    throw new CliError(
      'attachment_not_found',
      `${id} has no file named ${JSON.stringify(name)}${names === '' ? ' (it has none)' : `; its files: ${names}`}`,
      EXIT.notFound
    )
  }
  return found
}

const itemPath = (id: string): string => `/api/items/${encodeURIComponent(id)}/attachments`

export const attachCommand: Command = {
  name: 'attach',
  usage: 'kith attach ID FILE [--name NAME] [--json]',
  summary:
    'put a file on an item (sealed and synced to your devices; 25 MB at most unless the daemon was started with --attachment-limit-mb)',
  async run(ctx) {
    allowOnly(ctx.args, ['name'])
    const [id = '', file = ''] = positionals(ctx.args, 2, attachCommand.usage)
    let size: number
    try {
      const s = await stat(file)
      if (!s.isFile()) throw new CliError('usage', `${file} is not a file`, EXIT.usage)
      size = s.size
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError('file_not_found', `cannot read ${file}: ${(err as Error).message}`, EXIT.error)
    }
    const name = flag(ctx.args, 'name') ?? basename(file)
    const client = await DaemonClient.connect(ctx.home)
    const info = (await uploadFile(client.connection, itemPath(id), file, size, {
      'X-Kith-Name': encodeURIComponent(name)
    })) as AttachmentInfo
    ctx.out(`attached ${info.name} (${sizeText(info.size)}, sha256 ${info.sha256}) to ${id}`, {
      name: info.name,
      size: info.size,
      sha256: info.sha256,
      id: info.id
    })
  }
}

export const attachmentGetCommand: Command = {
  name: 'attachment get',
  usage: 'kith attachment get ID NAME --out FILE [--force]',
  summary: "write an item's file to FILE (readable by you only); fetched from a paired device first when this one lacks it",
  async run(ctx) {
    allowOnly(ctx.args, ['out'], ['force'])
    const [id = '', name = ''] = positionals(ctx.args, 2, attachmentGetCommand.usage)
    const out = flag(ctx.args, 'out')
    if (out === undefined || out === '') throw new CliError('usage', `usage: ${attachmentGetCommand.usage}`, EXIT.usage)
    if (
      !has(ctx.args, 'force') &&
      (await lstat(out).then(
        () => true,
        () => false
      ))
    )
      throw new CliError('file_exists', `${out} exists; give --force to replace it`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const info = await fileOn(client, id, name)
    const written = await downloadFile(client.connection, `${itemPath(id)}/${encodeURIComponent(info.id)}`, out)
    ctx.out(`wrote ${info.name} (${sizeText(written)}) to ${out}`, { name: info.name, size: written, sha256: info.sha256, out })
  }
}

export const attachmentRmCommand: Command = {
  name: 'attachment rm',
  usage: 'kith attachment rm ID NAME',
  summary: 'take a file off an item and delete it for good, on every device',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const [id = '', name = ''] = positionals(ctx.args, 2, attachmentRmCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const info = await fileOn(client, id, name)
    await client.ok(
      client.api.items[':id'].attachments[':attachmentId'].$delete({
        param: { id: encodeURIComponent(id), attachmentId: encodeURIComponent(info.id) }
      })
    )
    ctx.out(`removed ${info.name} from ${id}`, { removed: info.name })
  }
}
