/**
 * kith unlock (the password, with the authenticator code when the device has one, or the recovery
 * key and then a new password) · kith password change. Secrets come from standard input, one per
 * line, or from prompts that do not echo on a terminal; never from the command line.
 */
import { allowOnly, has } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { readStdinLines } from '../stdin.js'
import { promptHidden } from '../secretInput.js'
import { CliError, EXIT } from '../CliError.js'
import { unlockInBrowser } from '../unlockInBrowser.js'
import type { Command, CommandContext } from '../Command.js'
import { acceptStrength, ALLOW_WEAK } from '../weakSecret.js'

const onTerminal = (): boolean => process.stdin.isTTY === true
const MIN_PASSWORD = 8

/** The lines of standard input, or each value prompted for without echo on a terminal. */
async function secrets(labels: string[]): Promise<string[]> {
  if (!onTerminal()) return await readStdinLines(labels.length)
  const out: string[] = []
  for (const label of labels) out.push(await promptHidden(label))
  return out
}

function checkNewPassword(password: string | undefined, where: string): string {
  if (password === undefined || password === '') throw new CliError('usage', `the new master password is missing (${where})`, EXIT.usage)
  if (password.length < MIN_PASSWORD)
    throw new CliError('usage', `the new master password must have at least ${MIN_PASSWORD} characters`, EXIT.usage)
  return password
}

async function unlockWithRecoveryKey(ctx: CommandContext): Promise<void> {
  // every line is read (and the new password checked) before anything reaches the daemon
  const [recoveryKey = '', newPassword = '', repeated] = await secrets(
    onTerminal() ? ['Recovery key', 'New master password', 'Repeat the new master password'] : ['recovery key', 'new password']
  )
  if (recoveryKey.trim() === '') throw new CliError('usage', 'the first line of standard input must be the recovery key', EXIT.usage)
  const password = newPassword === '' && !onTerminal() ? undefined : checkNewPassword(newPassword, 'the second line of standard input')
  if (repeated !== undefined && repeated !== password) throw new CliError('usage', 'the two new passwords are not the same', EXIT.usage)
  const client = await DaemonClient.connect(ctx.home)
  if (password !== undefined) await acceptStrength(ctx, client, password, 'the new master password')
  await client.json(client.api.unlock.$post({ json: { recoveryKey } }))
  if (password === undefined) {
    process.stderr.write(
      'kith: unlocked with the recovery key; set a new master password now: kith password change --password-stdin (one line: the new password)\n'
    )
    ctx.out('unlocked with the recovery key; a new master password is needed', {
      ok: true,
      locked: false,
      needsNewPassword: true,
      passwordChanged: false
    })
    return
  }
  await client.json(client.api.password.$post({ json: { newPassword: password } }))
  ctx.out('unlocked with the recovery key; the new master password is set (the old one no longer works)', {
    ok: true,
    locked: false,
    needsNewPassword: false,
    passwordChanged: true
  })
}

/** After an unlock with the recovery key there is no current password: the one line is the new one. */
async function setPasswordAfterRecovery(ctx: CommandContext, client: DaemonClient): Promise<void> {
  const [next, repeated] = await secrets(onTerminal() ? ['New master password', 'Repeat the new master password'] : ['new'])
  const newPassword = checkNewPassword(next, 'the first line of standard input')
  if (repeated !== undefined && repeated !== newPassword) throw new CliError('usage', 'the two new passwords are not the same', EXIT.usage)
  await acceptStrength(ctx, client, newPassword, 'the new master password')
  await client.json(client.api.password.$post({ json: { newPassword } }))
  ctx.out('new master password set (the old one no longer works)', { ok: true })
}

export const unlockCommand: Command = {
  name: 'unlock',
  usage: 'kith unlock --password-stdin | --recovery-key-stdin [--allow-weak] | --browser [--timeout SECONDS] [--no-open]',
  summary:
    'unlock the vault with the master password (and the authenticator code, when set up), the recovery key, or in the dashboard (a passkey)',
  help: [
    '--password-stdin: the first line of standard input is the password; when an authenticator app is set up',
    '(kith factors add totp), the second line is its current code. On a terminal both are asked without echo.',
    '--recovery-key-stdin: the first line is the recovery key, the second the new master password (the old one',
    'stops working); without a second line it unlocks and `kith password change` then takes the new password alone.',
    'A wrong or missing code, like a wrong password or recovery key, counts toward the unlock backoff.',
    "--browser: opens the dashboard's unlock page (its plain address: no secret on any command line) and waits until",
    'the vault is unlocked there, with a passkey or the password (--timeout, default 120 s; exit code 4 when it runs out).'
  ].join('\n'),
  async run(ctx) {
    if (has(ctx.args, 'browser')) return await unlockInBrowser(ctx)
    allowOnly(ctx.args, [], ['password-stdin', 'recovery-key-stdin', ALLOW_WEAK])
    if (has(ctx.args, 'recovery-key-stdin')) return await unlockWithRecoveryKey(ctx)
    if (!has(ctx.args, 'password-stdin') && !onTerminal())
      throw new CliError(
        'usage',
        'pass the master password on standard input with --password-stdin (never on the command line)',
        EXIT.usage
      )
    const client = await DaemonClient.connect(ctx.home)
    const status = await client.json(client.api.status.$get())
    const withCode = status.totp === true
    const [password = '', code = ''] = await secrets(withCode ? ['Master password', 'Authenticator code'] : ['Master password'])
    if (password === '') throw new CliError('usage', 'the master password read from standard input is empty', EXIT.usage)
    // asked before the daemon sees the password: a missing code would count as a failed attempt there
    if (withCode && code.trim() === '')
      throw new CliError(
        'second_factor_required',
        'this device also needs the current code of its authenticator app: give it as the second line of standard input',
        EXIT.auth
      )
    await client.json(client.api.unlock.$post({ json: withCode ? { password, totp: code.trim() } : { password } }))
    ctx.out('unlocked', { ok: true, locked: false })
  }
}

export const passwordChangeCommand: Command = {
  name: 'password change',
  usage: 'kith password change --password-stdin [--allow-weak]',
  summary: "change this device's master password (passkeys, the authenticator and the recovery key keep working)",
  help: [
    'The first line of standard input is the current password, the second the new one; on a terminal both are asked',
    '(the new one twice). Right after an unlock with the recovery key, the one line is the new password.',
    'A weak new password is used only once confirmed at the terminal or with --allow-weak (from a script: a warning).'
  ].join('\n'),
  async run(ctx) {
    allowOnly(ctx.args, [], ['password-stdin', ALLOW_WEAK])
    if (!has(ctx.args, 'password-stdin') && !onTerminal())
      throw new CliError('usage', 'pass the current and new passwords on standard input with --password-stdin', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const status = await client.json(client.api.status.$get())
    if (status.needsNewPassword === true) return await setPasswordAfterRecovery(ctx, client)
    const [oldPassword = '', next, repeated] = await secrets(
      onTerminal() ? ['Current master password', 'New master password', 'Repeat the new master password'] : ['current', 'new']
    )
    if (oldPassword === '') throw new CliError('usage', 'the first line of standard input must be the current password', EXIT.usage)
    const newPassword = checkNewPassword(next, 'the second line of standard input')
    if (repeated !== undefined && repeated !== newPassword)
      throw new CliError('usage', 'the two new passwords are not the same', EXIT.usage)
    await acceptStrength(ctx, client, newPassword, 'the new master password')
    await client.json(client.api.password.$post({ json: { oldPassword, newPassword } }))
    ctx.out('master password changed', { ok: true })
  }
}
