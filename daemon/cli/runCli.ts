/** Parses argv, finds the command (one or two words), runs it, and turns errors into a line on stderr and an exit code. */
import { parseArgs, flag, has, UsageError } from './args.js'
import { COMMANDS } from './commands/index.js'
import { CliError, EXIT } from './CliError.js'
import { resolveHome } from '../paths.js'
import type { Command } from './Command.js'
import { toError } from '../toError.js'

function helpText(): string {
  const width = Math.max(...COMMANDS.map(c => c.name.length))
  return [
    'kith: a local-first password vault that syncs directly between your devices',
    '',
    'usage: kith COMMAND [options]    (every command takes --home DIR and --json)',
    '',
    ...COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "kith COMMAND --help shows a command's options. Secrets are read with --password-stdin, never from argv.",
    'Data directory: --home DIR, else $KITH_HOME, else $XDG_DATA_HOME/kith (~/.local/share/kith).'
  ].join('\n')
}

function findCommand(positionals: string[]): { command: Command; rest: string[] } | undefined {
  const two = positionals.slice(0, 2).join(' ')
  const byTwo = COMMANDS.find(c => c.name === two)
  if (byTwo !== undefined) return { command: byTwo, rest: positionals.slice(2) }
  const byOne = COMMANDS.find(c => c.name === positionals[0])
  if (byOne !== undefined) return { command: byOne, rest: positionals.slice(1) }
  return undefined
}

export async function runCli(argv: string[]): Promise<number> {
  let json = argv.includes('--json')
  try {
    const args = parseArgs(argv)
    json = has(args, 'json')
    if (args.positionals.length === 0) {
      if (has(args, 'help')) {
        process.stdout.write(helpText() + '\n')
        return EXIT.ok
      }
      throw new UsageError('no command given (kith --help lists them)')
    }
    const found = findCommand(args.positionals)
    if (found === undefined) throw new UsageError(`unknown command ${JSON.stringify(args.positionals.join(' '))} (kith --help lists them)`)
    if (has(args, 'help')) {
      process.stdout.write(
        `${found.command.usage}\n\n${found.command.summary}\n${found.command.help === undefined ? '' : `\n${found.command.help}\n`}`
      )
      return EXIT.ok
    }
    await found.command.run({
      args: { ...args, positionals: found.rest },
      home: resolveHome(flag(args, 'home')),
      json,
      out: (human, value) => {
        if (json) process.stdout.write(JSON.stringify(value) + '\n')
        else if (human !== '') process.stdout.write(human + '\n')
      }
    })
    return EXIT.ok
  } catch (err) {
    const e =
      err instanceof CliError
        ? err
        : err instanceof UsageError
          ? new CliError('usage', err.message, EXIT.usage)
          : new CliError('internal_error', toError(err).message ?? String(err))
    process.stderr.write(`kith: ${e.message}\n`)
    if (json) process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message } }) + '\n')
    return e.exitCode
  }
}
