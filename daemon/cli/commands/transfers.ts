/** kith import · export · migrate · destroy */
import { readFile, writeFile } from 'node:fs/promises'
import { allowOnly, flag, has } from '../args.js'
import { DaemonClient, readDaemonInfo, httpRequest } from '../DaemonClient.js'
import { CliError, EXIT, exitCodeForHttp } from '../CliError.js'
import { passwordFromStdin } from './vault.js'
import { followProgress } from '../progressBar.js'
import type { Command } from '../Command.js'

export const importCommand: Command = {
  name: 'import',
  usage: 'kith import FORMAT FILE [--vault NAME] [--password-stdin]\n  FORMAT: bitwarden-json bitwarden-csv 1password-1pux 1password-csv keepass-xml keepass-csv kdbx chrome-csv firefox-csv lastpass-csv kith-json kith-encrypted',
  summary: 'import another manager\'s export (items already present are skipped)',
  async run (ctx) {
    allowOnly(ctx.args, ['vault'], ['password-stdin'])
    const [format, file] = ctx.args.positionals
    if (format === undefined || file === undefined) throw new CliError('usage', `usage: ${importCommand.usage}`, EXIT.usage)
    let data: Buffer
    try { data = await readFile(file) } catch (err) { throw new CliError('file_unreadable', `cannot read ${file}: ${(err as Error).message}`, EXIT.usage) }
    const password = has(ctx.args, 'password-stdin') ? await passwordFromStdin(ctx, 'the file\'s password') : undefined
    const client = await DaemonClient.connect(ctx.home)
    const info = await readDaemonInfo(ctx.home)
    const stop = info !== undefined ? followProgress(info, 'import-progress', `importing ${format}`) : () => {}
    try {
      const res = await client.call('POST', '/api/import', { format, data: data.toString('base64'), vault: flag(ctx.args, 'vault'), password })
      stop()
      for (const w of res.warnings as string[]) process.stderr.write(`kith: note: ${w}\n`)
      const vaults = res.vaults as Array<{ name: string, imported: number, created: boolean }>
      const where = vaults.length > 1
        ? `${vaults.length} vaults (${vaults.map(v => `${v.name} ${v.imported}${v.created ? ', new' : ''}`).join('; ')})`
        : `${String(res.vault)}${res.createdVault === true ? ' (a new vault)' : ''}`
      const human = `imported ${String(res.imported)} items into ${where}; skipped ${String(res.skipped)} already present` + ((res.warnings as string[]).length > 0 ? `; ${(res.warnings as string[]).length} notes above` : '')
      ctx.out(human, { imported: res.imported, skipped: res.skipped, vault: res.vault, vaults: res.vaults, warnings: res.warnings })
    } finally { stop() }
  }
}

export const exportCommand: Command = {
  name: 'export',
  usage: 'kith export FORMAT [--vault NAME] [--out FILE] [--password-stdin]\n  FORMAT: kith-json kith-encrypted bitwarden-json keepass-xml csv',
  summary: 'export items (every vault unless --vault); kith-encrypted asks for a file password on stdin',
  async run (ctx) {
    allowOnly(ctx.args, ['vault', 'out'], ['password-stdin'])
    const format = ctx.args.positionals[0]
    if (format === undefined) throw new CliError('usage', `usage: ${exportCommand.usage}`, EXIT.usage)
    const password = has(ctx.args, 'password-stdin') ? await passwordFromStdin(ctx, 'the export file\'s password') : undefined
    const out = flag(ctx.args, 'out')
    await DaemonClient.connect(ctx.home)
    const info = await readDaemonInfo(ctx.home)
    if (info === undefined) throw new CliError('not_running', 'the daemon stopped', EXIT.notRunning)
    const stop = followProgress(info, 'export-progress', `exporting ${format}`)
    const res = await httpRequest(info, 'POST', '/api/export', { format, vault: flag(ctx.args, 'vault'), password }, { binary: true }).finally(stop)
    if (res.status >= 400) {
      const error = JSON.parse(Buffer.from(res.body as Uint8Array).toString('utf8')).error as { code: string, message: string }
      throw new CliError(error.code, error.message, exitCodeForHttp(res.status, error.code))
    }
    const bytes = res.body as Buffer
    const count = Number(res.headers['x-kith-items'])
    if (out === undefined) {
      if (ctx.json) throw new CliError('usage', '--json needs --out FILE (the export itself goes to the file)', EXIT.usage)
      process.stdout.write(bytes)
      return
    }
    await writeFile(out, bytes, { mode: 0o600 })
    ctx.out(`exported ${count} items to ${out} (${format})`, { exported: count, format, out, bytes: bytes.length })
  }
}

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'kith migrate --from NAME --to NAME --org-domain DOMAIN [--dry-run] [--json]',
  summary: 'move the items that are not the organisation\'s from one vault to another',
  async run (ctx) {
    allowOnly(ctx.args, ['from', 'to', 'org-domain'], ['dry-run'])
    const from = flag(ctx.args, 'from')
    const to = flag(ctx.args, 'to')
    const orgDomain = flag(ctx.args, 'org-domain')
    if (from === undefined || to === undefined || orgDomain === undefined) throw new CliError('usage', `usage: ${migrateCommand.usage}`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const plan = await client.call('POST', '/api/migrate', { from, to, orgDomain, dryRun: has(ctx.args, 'dry-run') })
    const lines = (plan.details as Array<{ title: string, action: string, reason: string }>).map(d => `${d.action === 'move' ? (plan.dryRun === true ? 'would move' : 'moved') : 'kept'}\t${d.title}\t${d.reason}`)
    lines.push(`${plan.dryRun === true ? 'would move' : 'moved'} ${(plan.moved as string[]).length} items from ${from} to ${to}; kept ${(plan.kept as string[]).length}`)
    ctx.out(lines.join('\n'), plan)
  }
}

export const destroyCommand: Command = {
  name: 'destroy',
  usage: 'kith destroy --yes',
  summary: 'delete this device\'s vault data for good (keys first), and stop the daemon',
  async run (ctx) {
    allowOnly(ctx.args, [], ['yes'])
    if (!has(ctx.args, 'yes')) throw new CliError('usage', 'destroy deletes this device\'s vault data for good: confirm with --yes', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.call('POST', '/api/destroy', { confirm: true })
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && await readDaemonInfo(ctx.home) !== undefined) await new Promise(resolve => setTimeout(resolve, 25))
    ctx.out(`destroyed: ${String(res.keyRecords)} key records and ${String(res.records)} vault records erased, ${(res.files as string[]).length} files removed (${(res.files as string[]).join(', ')}); the daemon has stopped`, res)
  }
}
