/**
 * Re-authentication from the CLI (like sudo): before an action the daemon guards (exports,
 * invitations, removing or granting devices, destroy) the CLI asks whether this caller's proof of
 * the master password has run out, and if so proves it again — from the line of standard input
 * after the command's own lines with `--password-stdin`, or from a prompt without echo on a
 * terminal. The password never goes on the command line.
 */
import { has } from './args.js'
import { CliError, EXIT } from './CliError.js'
import type { CommandContext } from './Command.js'
import type { DaemonClient } from './DaemonClient.js'
import { promptHidden } from './secretInput.js'
import { readStdinLines } from './stdin.js'

/**
 * Reads the command's own standard input lines (`ownLines`, e.g. an export file's password; empty
 * for most commands) and, when the daemon wants it, the master password after them; proves it.
 * Returns the command's own lines. `what` names the action in messages ("kith export").
 */
export async function reauthenticate(ctx: CommandContext, client: DaemonClient, what: string, ownLines: string[] = []): Promise<string[]> {
  const state = await client.json(client.api.reauthenticate.$get())
  const fromStdin = has(ctx.args, 'password-stdin')
  let password: string | undefined
  let own: string[] = []
  if (fromStdin) {
    const lines = await readStdinLines(ownLines.length + (state.required ? 1 : 0))
    own = lines.slice(0, ownLines.length)
    own.forEach((line, i) => {
      if (line === '') throw new CliError('usage', `${ownLines[i] as string}: standard input line ${i + 1} is empty or missing`, EXIT.usage)
    })
    if (state.required) {
      password = lines[ownLines.length] as string
      if (password === '')
        throw new CliError(
          'reauthentication_required',
          `${what} needs the master password again: give it as line ${ownLines.length + 1} of standard input`,
          EXIT.auth
        )
    }
  } else if (state.required) {
    if (process.stdin.isTTY !== true)
      throw new CliError(
        'reauthentication_required',
        `${what} needs the master password again (it was not given in the last few minutes): pass it on standard input with --password-stdin`,
        EXIT.auth
      )
    password = await promptHidden('Master password (to confirm)')
  }
  if (password !== undefined) await client.json(client.api.reauthenticate.$post({ json: { password } }))
  return own
}
