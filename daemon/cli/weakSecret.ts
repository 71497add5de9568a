/**
 * "Use it anyway" for a weak new master password or export password (newcomer report F17). The
 * verdict is the daemon's estimator's (POST /api/strength), the same the dashboard shows. A weak
 * password is used only when the person says so: `--allow-weak`, or "y" at a terminal prompt.
 * A password read with --password-stdin from a pipe (a script: CONTRACT.md's non-interactive use)
 * is used with a warning on stderr, so that scripts keep working; the terminal and the dashboard ask.
 */
import { has } from './args.js'
import { CliError, EXIT } from './CliError.js'
import type { CommandContext } from './Command.js'
import type { DaemonClient } from './DaemonClient.js'
import { promptVisible } from './secretInput.js'

/** The daemon's minimum for an export file's password (service/PortabilityService.ts; a unit test holds the two equal). */
export const MIN_EXPORT_PASSWORD_LENGTH = 12

/** Refuses an export file password shorter than the minimum, before the daemon is asked anything. */
export function checkExportPasswordLength(password: string): void {
  if ([...password].length < MIN_EXPORT_PASSWORD_LENGTH)
    throw new CliError(
      'export_password_too_short',
      `the export file's password needs at least ${MIN_EXPORT_PASSWORD_LENGTH} characters (the file can be attacked offline); a few random words work well`,
      EXIT.usage
    )
}

/** The flag every command that sets a master or export password accepts. */
export const ALLOW_WEAK = 'allow-weak'

async function askYesNo(question: string): Promise<boolean> {
  return /^(y|yes)$/i.test((await promptVisible(`${question} [y/N]`)).trim())
}

/**
 * Returns when `password` may be used: strong enough, or weak and accepted. `what` names it in
 * messages ("the new master password", "the export file's password").
 */
export async function acceptStrength(ctx: CommandContext, client: DaemonClient, password: string, what: string): Promise<void> {
  const verdict = await client.json(client.api.strength.$post({ json: { password } }))
  if (!verdict.weak) return
  const why = verdict.warning === '' ? '' : `: ${verdict.warning.replace(/\.$/, '')}`
  const described = `${what} is ${verdict.label.toLowerCase()} (about ${verdict.bits} bits${why})`
  if (has(ctx.args, ALLOW_WEAK)) {
    process.stderr.write(`kith: note: ${described}; used because of --${ALLOW_WEAK}\n`)
    return
  }
  if (process.stdin.isTTY === true) {
    if (await askYesNo(`${capitalized(described)}. A few random words are stronger and easy to type. Use it anyway?`)) return
    throw new CliError('weak_password', `${what} is too weak: choose a stronger one, or add --${ALLOW_WEAK} to use it anyway`, EXIT.usage)
  }
  process.stderr.write(
    `kith: warning: ${described}; used because it came from standard input (a script). At a terminal kith asks first; --${ALLOW_WEAK} says you meant it.\n`
  )
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
