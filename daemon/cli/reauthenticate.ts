/**
 * Re-authentication from the CLI (like sudo): before an action the daemon guards (exports,
 * invitations, removing or granting devices, destroy) the CLI asks whether this caller's proof of
 * the master password has run out, and if so proves it again — from the line of standard input
 * after the command's own lines with `--password-stdin`, or from a prompt without echo on a
 * terminal. The password never goes on the command line.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { has } from './args.js'
import { CliError, EXIT } from './CliError.js'
import type { CommandContext } from './Command.js'
import type { DaemonClient } from './DaemonClient.js'
import { promptHidden } from './secretInput.js'
import { readStdinLines } from './stdin.js'
import { openBrowser } from './commands/open.js'

/** how long a command waits for the confirmation in the browser */
const CONFIRM_TIMEOUT_S = 120
const CONFIRM_POLL_MS = 300

/**
 * Reads the command's own standard input lines (`ownLines`, e.g. an export file's password; empty
 * for most commands) and, when the daemon wants it, the master password after them; proves it.
 * Returns the command's own lines. `what` names the action in messages ("kith export").
 */
export async function reauthenticate(ctx: CommandContext, client: DaemonClient, what: string, ownLines: string[] = []): Promise<string[]> {
  const state = await client.json(client.api.reauthenticate.$get())
  // a device that unlocks with the password and a passkey together proves both: in the dashboard
  const inBrowser =
    state.required &&
    (await client
      .json(client.api.passkeys.$get())
      .then(methods => methods.passwordRequired)
      .catch(() => false))
  const wantsPassword = state.required && !inBrowser
  const fromStdin = has(ctx.args, 'password-stdin')
  let password: string | undefined
  let own: string[] = []
  if (fromStdin) {
    const lines = await readStdinLines(ownLines.length + (wantsPassword ? 1 : 0))
    own = lines.slice(0, ownLines.length)
    own.forEach((line, i) => {
      if (line === '') throw new CliError('usage', `${ownLines[i] as string}: standard input line ${i + 1} is empty or missing`, EXIT.usage)
    })
    if (wantsPassword) {
      password = lines[ownLines.length] as string
      if (password === '')
        throw new CliError(
          'reauthentication_required',
          `${what} needs the master password again: give it as line ${ownLines.length + 1} of standard input`,
          EXIT.auth
        )
    }
  } else if (wantsPassword) {
    if (process.stdin.isTTY !== true)
      throw new CliError(
        'reauthentication_required',
        `${what} needs the master password again (it was not given in the last few minutes): pass it on standard input with --password-stdin`,
        EXIT.auth
      )
    password = await promptHidden('Master password (to confirm)')
  }
  if (password !== undefined) await client.json(client.api.reauthenticate.$post({ json: { password } }))
  if (inBrowser) await confirmInBrowser(ctx, client, what)
  return own
}

/**
 * Opens the dashboard's "Confirm for the command line" page (its plain address: nothing secret on
 * the browser's command line) and waits until the password and a passkey were proven there.
 */
async function confirmInBrowser(ctx: CommandContext, client: DaemonClient, what: string): Promise<void> {
  const status = await client.json(client.api.status.$get())
  const url = `${String(status.url)}/#/confirm-cli`
  const opened = await openBrowser(url, false, ctx.home)
  process.stderr.write(
    `${what} needs your master password and a passkey again (this device unlocks with both). ${opened ? 'Confirm in the browser page just opened' : `Open ${url} in a browser on this machine and confirm there`} (waiting up to ${CONFIRM_TIMEOUT_S} s)…\n`
  )
  const deadline = Date.now() + CONFIRM_TIMEOUT_S * 1000
  while (Date.now() < deadline) {
    await sleep(CONFIRM_POLL_MS)
    if (!(await client.json(client.api.reauthenticate.$get())).required) return
  }
  throw new CliError(
    'reauthentication_required',
    `${what} needs the master password and a passkey again: it was not confirmed in the browser within ${CONFIRM_TIMEOUT_S} s`,
    EXIT.auth
  )
}
