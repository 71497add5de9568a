/** kith import · export · migrate · destroy */
import { lstat, readFile } from 'node:fs/promises'
import { allowOnly, flag, flagAll, has } from '../args.js'
import { DaemonClient, readDaemonInfo } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import { passwordFromStdin } from './vault.js'
import { followProgress } from '../progressBar.js'
import type { Command } from '../Command.js'
import { toError } from '../../toError.js'
import { writePrivateFile } from '../writePrivateFile.js'
import { reauthenticate } from '../reauthenticate.js'
import { countOf } from '../countOf.js'
import { importSummary } from '../importSummary.js'
import { promptHidden } from '../secretInput.js'
import { acceptStrength, ALLOW_WEAK, checkExportPasswordLength } from '../weakSecret.js'

/** kith-encrypted at a terminal without --password-stdin: the file's password, typed twice without echo. */
async function promptFilePassword(): Promise<string> {
  const first = await promptHidden('Password for the export file (at least 12 characters)')
  checkExportPasswordLength(first)
  if ((await promptHidden('Repeat it')) !== first) throw new CliError('usage', 'the two passwords are not the same', EXIT.usage)
  return first
}

export const importCommand: Command = {
  name: 'import',
  usage:
    'kith import FORMAT FILE [--vault NAME] [--password-stdin]\n  FORMAT: bitwarden-json bitwarden-csv 1password-1pux 1password-csv keepass-xml keepass-csv kdbx chrome-csv firefox-csv lastpass-csv kith-json kith-encrypted',
  summary: "import another manager's export (items already present are skipped)",
  async run(ctx) {
    allowOnly(ctx.args, ['vault'], ['password-stdin'])
    const [format, file] = ctx.args.positionals
    if (format === undefined || file === undefined) throw new CliError('usage', `usage: ${importCommand.usage}`, EXIT.usage)
    let data: Buffer
    try {
      data = await readFile(file)
    } catch (err) {
      throw new CliError('file_unreadable', `cannot read ${file}: ${toError(err).message}`, EXIT.usage)
    }
    const password = has(ctx.args, 'password-stdin') ? await passwordFromStdin(ctx, "the file's password") : undefined
    const client = await DaemonClient.connect(ctx.home)
    const info = await readDaemonInfo(ctx.home)
    const stop = info !== undefined ? followProgress(info, 'import-progress', `importing ${format}`) : () => {}
    try {
      const res = await client.json(
        client.api.import.$post({ json: { format, data: data.toString('base64'), vault: flag(ctx.args, 'vault'), password } })
      )
      stop()
      for (const w of res.warnings) process.stderr.write(`kith: note: ${w}\n`)
      const human = importSummary(res)
      ctx.out(human, { imported: res.imported, skipped: res.skipped, vault: res.vault, vaults: res.vaults, warnings: res.warnings })
    } finally {
      stop()
    }
  }
}

/** Whether anything (a file, a directory, a dangling symlink) is at `path`. */
async function pathTaken(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

const fileExists = (out: string): CliError =>
  new CliError('file_exists', `${out} already exists: kith export does not overwrite it unless you add --force`, EXIT.usage)

export const exportCommand: Command = {
  name: 'export',
  usage:
    'kith export FORMAT [--vault NAME] [--out FILE [--force]] [--password-stdin] [--allow-weak]\n  FORMAT: kith-json kith-encrypted bitwarden-json keepass-xml csv',
  summary: 'export items (every vault unless --vault); kith-encrypted asks for a file password on stdin',
  help: "Exports need the master password given in the last 5 minutes. With --password-stdin it is read from\nstandard input when needed: the first line for a plaintext format; for kith-encrypted the first line is\nthe file's password and the second the master password. On a terminal without it, kith asks.\nThe file's password needs at least 12 characters; a weak one is used only once confirmed at the terminal or with\n--allow-weak (from a script: a warning).",
  async run(ctx) {
    allowOnly(ctx.args, ['vault', 'out'], ['password-stdin', 'force', ALLOW_WEAK])
    const format = ctx.args.positionals[0]
    if (format === undefined) throw new CliError('usage', `usage: ${exportCommand.usage}`, EXIT.usage)
    const sealed = format === 'kith-encrypted' && has(ctx.args, 'password-stdin')
    const askFilePassword = format === 'kith-encrypted' && !sealed && process.stdin.isTTY === true
    const out = flag(ctx.args, 'out')
    const force = has(ctx.args, 'force')
    if (out !== undefined && !force && (await pathTaken(out))) throw fileExists(out)
    const client = await DaemonClient.connect(ctx.home)
    const typed = askFilePassword ? await promptFilePassword() : undefined
    const [fromStdin] = await reauthenticate(ctx, client, 'kith export', sealed ? ["the export file's password"] : [])
    const password = typed ?? fromStdin
    if (password !== undefined) {
      checkExportPasswordLength(password)
      await acceptStrength(ctx, client, password, "the export file's password")
    }
    const info = await readDaemonInfo(ctx.home)
    if (info === undefined) throw new CliError('not_running', 'the daemon stopped', EXIT.notRunning)
    const stop = followProgress(info, 'export-progress', `exporting ${format}`)
    const res = await client.ok(client.api.export.$post({ json: { format, vault: flag(ctx.args, 'vault'), password } })).finally(stop)
    const bytes = new Uint8Array(await res.arrayBuffer())
    const count = Number(res.headers.get('x-kith-items'))
    if (out === undefined) {
      if (ctx.json) throw new CliError('usage', '--json needs --out FILE (the export itself goes to the file)', EXIT.usage)
      process.stdout.write(bytes)
      return
    }
    try {
      await writePrivateFile(out, bytes, { overwrite: force })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists(out)
      throw err
    }
    ctx.out(`exported ${countOf(count, 'item')} to ${out} (${format})`, { exported: count, format, out, bytes: bytes.length })
  }
}

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'kith migrate --from NAME --to NAME --org-domain DOMAIN [--org-domain DOMAIN]… [--keep ID]… [--dry-run] [--json]',
  summary:
    "move the items that are not the organisation's from one vault to another (ids kept); --org-domain and --keep repeat; items with no URL or e-mail are flagged: no evidence either way",
  async run(ctx) {
    allowOnly(ctx.args, ['from', 'to', 'org-domain', 'keep'], ['dry-run'])
    const from = flag(ctx.args, 'from')
    const to = flag(ctx.args, 'to')
    const orgDomain = flagAll(ctx.args, 'org-domain')
    if (from === undefined || to === undefined || orgDomain.length === 0)
      throw new CliError('usage', `usage: ${migrateCommand.usage}`, EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const plan = await client.json(
      client.api.migrate.$post({ json: { from, to, orgDomain, keep: flagAll(ctx.args, 'keep'), dryRun: has(ctx.args, 'dry-run') } })
    )
    const lines = plan.details.map(
      d =>
        `${d.action === 'move' ? (plan.dryRun ? 'would move' : 'moved') : 'kept'}\t${d.id}\t${d.title}\t${d.reason}${d.evidence === 'none' && d.action === 'move' ? '  [no evidence either way: --keep ' + d.id + ' to keep it]' : ''}`
    )
    lines.push(
      `${plan.dryRun ? 'would move' : 'moved'} ${countOf(plan.moved.length, 'item')} from ${from} to ${to}; kept ${plan.kept.length}`
    )
    ctx.out(lines.join('\n'), plan)
  }
}

export const destroyCommand: Command = {
  name: 'destroy',
  usage: 'kith destroy --yes [--password-stdin]',
  summary: "leave the device roster, delete this device's vault data for good (keys first), and stop the daemon",
  help: 'Needs the master password given in the last 5 minutes: from standard input with --password-stdin, or asked on a terminal.',
  async run(ctx) {
    allowOnly(ctx.args, [], ['yes', 'password-stdin'])
    if (!has(ctx.args, 'yes'))
      throw new CliError('usage', "destroy deletes this device's vault data for good: confirm with --yes", EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    await reauthenticate(ctx, client, 'kith destroy')
    const res = await client.json(client.api.destroy.$post({ json: { confirm: true } }))
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && (await readDaemonInfo(ctx.home)) !== undefined) await new Promise(resolve => setTimeout(resolve, 25))
    const roster = res.removedFromRoster
      ? `\nremoved from the device roster (acknowledged by ${res.acknowledgedBy.map(id => id.slice(0, 12)).join(', ')}, which rotates the vault keys)`
      : res.hint === null
        ? ''
        : `\nnote: ${res.hint}`
    ctx.out(
      `destroyed: ${countOf(res.keyRecords, 'key record')} and ${countOf(res.records, 'vault record')} erased, ${countOf(res.files.length, 'file')} removed (${res.files.join(', ')}); the daemon has stopped${roster}`,
      res
    )
  }
}
