/**
 * `kith unlock --browser`: the CLI cannot run WebAuthn, so it opens the dashboard's unlock page in
 * a browser (the plain address: the page needs no login code, so nothing secret reaches the
 * browser's command line) and waits, polling the daemon's status, until someone unlocks there (a
 * passkey or the password) or the time runs out.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { allowOnly, flag, has } from './args.js'
import { CliError, EXIT } from './CliError.js'
import type { CommandContext } from './Command.js'
import { DaemonClient } from './DaemonClient.js'
import { openBrowser } from './commands/open.js'

const DEFAULT_TIMEOUT_S = 120
const POLL_MS = 300

function timeoutOf(ctx: CommandContext): number {
  const given = flag(ctx.args, 'timeout')
  if (given === undefined) return DEFAULT_TIMEOUT_S
  const seconds = Number(given)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new CliError('usage', '--timeout takes a number of seconds (1 to 3600)', EXIT.usage)
  return seconds
}

export async function unlockInBrowser(ctx: CommandContext): Promise<void> {
  allowOnly(ctx.args, ['timeout'], ['browser', 'no-open'])
  const timeoutS = timeoutOf(ctx)
  const client = await DaemonClient.connect(ctx.home)
  const status = await client.json(client.api.status.$get())
  if (!status.initialized)
    throw new CliError('not_initialized', 'this device is not set up yet: run `kith init` or `kith open`', EXIT.usage)
  if (!status.locked) {
    ctx.out('already unlocked', { ok: true, locked: false, opened: false })
    return
  }
  const url = `${String(status.url)}/`
  const opened = has(ctx.args, 'no-open') ? false : await openBrowser(url, false, ctx.home)
  if (!ctx.json)
    process.stderr.write(
      `${opened ? 'Opened' : 'Open'} ${url} ${opened ? 'in your browser' : 'in a browser on this machine'} and unlock there (waiting up to ${timeoutS} s)…\n`
    )
  const deadline = Date.now() + timeoutS * 1000
  while (Date.now() < deadline) {
    await sleep(POLL_MS)
    const now = await client.json(client.api.status.$get())
    if (!now.locked) {
      ctx.out('unlocked', { ok: true, locked: false, opened, url })
      return
    }
  }
  throw new CliError('timeout', `the vault was not unlocked in the browser within ${timeoutS} s`, EXIT.locked)
}
