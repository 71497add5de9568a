/** kith add · list · get · edit · rm · restore · totp · generate */
import { sizeText } from './attachments.js'
import { allowOnly, flag, flagAll, has, type ParsedArgs } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import type { Item } from '../../api/ports.js'
import type { ItemPatchBody } from '../../api/schemas.js'
import { generatePassphrase, generatePassword } from '../../service/passwordGenerator.js'
import { toError } from '../../toError.js'
import { readSecrets, warnSecretInArgv } from '../secretInput.js'
import { totpNote } from '../totpNote.js'
import type { ItemType } from '../../vault/itemTypes.js'
import {
  addTypedFlags,
  detailStdinNames,
  expiryNote,
  TYPED_FLAGS,
  TYPED_HELP,
  typedFieldValue,
  typedLines,
  typeFlag,
  typeLabel
} from '../typedItemFlags.js'

const ITEM_FLAGS = [
  'title',
  'username',
  'password',
  'url',
  'notes',
  'totp',
  'field',
  'hidden-field',
  'field-stdin',
  'tag',
  'folder',
  'vault',
  'length',
  ...TYPED_FLAGS
]
const ITEM_BOOLS = ['generate', 'no-symbols', 'no-digits', 'no-upper', 'no-lower', 'password-stdin', 'totp-stdin']

/** How `add` and `edit` read secrets without argv; the help text of both. */
const STDIN_HELP = [
  'Secrets without argv: --password-stdin, --totp-stdin and --field-stdin NAME (a hidden field;',
  'repeatable) read one line each from standard input, in that order: the password, the TOTP, then',
  'the fields in the order given. On a terminal they are prompted for, without echo. --password,',
  '--totp and --hidden-field still work but warn: argv is visible to other processes.',
  '',
  TYPED_HELP
].join('\n')

/** A password from the CSPRNG, shaped by --length and --no-symbols/--no-digits/--no-upper/--no-lower. */
function generateFromFlags(a: ParsedArgs): string {
  const length = flag(a, 'length')
  if (length !== undefined && !/^[0-9]+$/.test(length))
    throw new CliError('usage', `--length takes a whole number of characters, got ${JSON.stringify(length)}`, EXIT.usage)
  try {
    return generatePassword({
      length: length === undefined ? undefined : Number(length),
      symbols: !has(a, 'no-symbols'),
      digits: !has(a, 'no-digits'),
      upper: !has(a, 'no-upper'),
      lower: !has(a, 'no-lower')
    })
  } catch (err) {
    // the generator refuses only its options (a length out of range, no character class left): a usage error
    throw new CliError('usage', toError(err).message, EXIT.usage)
  }
}

/** Item fields from flags; only the flags given (so `edit` leaves the rest alone). */
function itemFromFlags(a: ParsedArgs): ItemPatchBody {
  const body: ItemPatchBody = {}
  for (const key of ['title', 'username', 'password', 'notes', 'totp', 'folder'] as const) {
    const v = flag(a, key)
    if (v !== undefined) body[key] = v
  }
  if (has(a, 'generate')) body.password = generateFromFlags(a)
  if (a.flags.has('url')) body.urls = flagAll(a, 'url')
  if (a.flags.has('tag')) body.tags = flagAll(a, 'tag')
  const fields = [...flagAll(a, 'field').map(f => [f, false] as const), ...flagAll(a, 'hidden-field').map(f => [f, true] as const)]
  if (fields.length > 0) {
    body.fields = fields.map(([f, hidden]) => {
      const eq = f.indexOf('=')
      if (eq <= 0) throw new CliError('usage', `--field takes NAME=VALUE, got ${JSON.stringify(f)}`, EXIT.usage)
      return { name: f.slice(0, eq), value: f.slice(eq + 1), hidden }
    })
  }
  return body
}

/** Warns about each secret given on the command line (an empty value, which clears, is no secret). */
function warnArgvSecrets(a: ParsedArgs): void {
  if ((flag(a, 'password') ?? '') !== '') warnSecretInArgv('--password', '--password-stdin or --generate')
  if ((flag(a, 'totp') ?? '') !== '') warnSecretInArgv('--totp', '--totp-stdin')
  if (flagAll(a, 'hidden-field').length > 0) warnSecretInArgv('--hidden-field', '--field-stdin NAME')
}

/** Adds the secrets read from stdin or a prompt: the password, then the TOTP, then each --field-stdin field; returns the --detail-stdin values that follow. */
async function addStdinSecrets(a: ParsedArgs, body: ItemPatchBody): Promise<string[]> {
  const password = has(a, 'password-stdin')
  if (password && (flag(a, 'password') !== undefined || has(a, 'generate')))
    throw new CliError('usage', 'give one of --password-stdin, --password and --generate', EXIT.usage)
  const totp = has(a, 'totp-stdin')
  if (totp && flag(a, 'totp') !== undefined) throw new CliError('usage', 'give --totp-stdin or --totp, not both', EXIT.usage)
  const names = flagAll(a, 'field-stdin')
  for (const name of names) if (name === '') throw new CliError('usage', '--field-stdin takes a field NAME', EXIT.usage)
  const details = detailStdinNames(a)
  const labels = [
    ...(password ? ['Password'] : []),
    ...(totp ? ['TOTP secret or otpauth:// URI'] : []),
    ...names.map(n => `Field ${n}`),
    ...details.map(n => `Field ${n}`)
  ]
  const values = await readSecrets(labels)
  if (password) body.password = values.shift() as string
  if (totp) body.totp = values.shift() as string
  if (names.length > 0)
    body.fields = [...(body.fields ?? []), ...names.map((name, i) => ({ name, value: values[i] as string, hidden: true }))]
  return values.slice(names.length)
}

/**
 * The item fields of an `add` or `edit`: flags, then the secrets from stdin; warns about secrets in
 * argv. `storedType` gives the item's type when --type is absent and typed fields are given (edit).
 */
async function itemFromInput(a: ParsedArgs, storedType: () => Promise<ItemType>): Promise<ItemPatchBody> {
  const body = itemFromFlags(a)
  const type = typeFlag(a) // checked before anything is read from stdin
  const detailValues = await addStdinSecrets(a, body)
  const typed = a.flags.has('detail') || a.flags.has('detail-stdin') || a.flags.has('detail-file')
  addTypedFlags(a, body, type ?? (typed ? await storedType() : 'login'), detailValues)
  warnArgvSecrets(a)
  return body
}

/** One line of `kith list`: id, title, username, URLs, then the type (other than login) and expiry; across every vault (no --vault) the vault comes second. */
function itemLine(item: Item, showVault: boolean): string {
  const notes = [...(item.type !== 'login' ? [typeLabel(item.type)] : []), ...[expiryNote(item)].filter(n => n !== '')]
  return [
    item.id,
    ...(showVault ? [item.vault] : []),
    item.title,
    item.username,
    item.urls.join(' '),
    ...(notes.length > 0 ? [notes.join(' · ')] : [])
  ].join('\t')
}

function itemText(item: Item): string {
  const lines = [
    `id:       ${item.id}`,
    `vault:    ${item.vault}`,
    `title:    ${item.title}`,
    `username: ${item.username}`,
    `password: ${item.password === '' ? '' : '********'}`
  ]
  for (const url of item.urls) lines.push(`url:      ${url}`)
  if (item.folder !== '') lines.push(`folder:   ${item.folder}`)
  if (item.tags.length > 0) lines.push(`tags:     ${item.tags.join(', ')}`)
  if (item.totp !== null) lines.push('totp:     (set; `kith totp ID` prints the code)')
  lines.push(...typedLines(item))
  for (const f of item.fields) lines.push(`${f.name}: ${f.hidden ? '********' : f.value}`)
  for (const a of item.attachments ?? []) lines.push(`file:     ${a.name} (${sizeText(a.size)})`)
  if (item.notes !== '') lines.push(`notes:\n${item.notes}`)
  if (item.trashed) lines.push('(in the trash)')
  return lines.join('\n')
}

const idArg = (a: ParsedArgs, usage: string): string => {
  const id = a.positionals[0]
  if (id === undefined) throw new CliError('usage', `usage: ${usage}`, EXIT.usage)
  return id
}

export const addCommand: Command = {
  name: 'add',
  usage:
    'kith add --title T [--username U] [--password-stdin | --generate [--length N] | --password P] [--url URL]… [--notes N] [--totp-stdin | --totp SECRET_OR_URI] [--field NAME=VALUE]… [--field-stdin NAME]… [--hidden-field NAME=VALUE]… [--tag T]… [--folder F] [--vault NAME] [--type T] [--detail NAME=VALUE]… [--detail-stdin NAME]… [--detail-file NAME=FILE]… [--expires DATE]',
  summary: 'add an item (a login, or a note, card, identity, SSH key…) and print its id',
  help: STDIN_HELP,
  async run(ctx) {
    allowOnly(ctx.args, ITEM_FLAGS, ITEM_BOOLS)
    if (flag(ctx.args, 'title') === undefined) throw new CliError('usage', 'an item needs --title', EXIT.usage)
    if (flag(ctx.args, 'password') !== undefined && has(ctx.args, 'generate'))
      throw new CliError('usage', 'give --password or --generate, not both', EXIT.usage)
    const body = await itemFromInput(ctx.args, async () => 'login')
    const vault = flag(ctx.args, 'vault')
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.items.$post({ json: { ...body, ...(vault !== undefined ? { vault } : {}) } }))
    ctx.out(String(res.id), { id: res.id })
  }
}

export const listCommand: Command = {
  name: 'list',
  usage: 'kith list [--vault NAME] [--search Q] [--type T] [--trashed] [--json]',
  summary: 'list live items (or the trash): id, vault (unless --vault), title, username, URLs, then type and expired / expires soon',
  async run(ctx) {
    allowOnly(ctx.args, ['vault', 'search', 'type'], ['trashed'])
    const type = typeFlag(ctx.args)
    const query = { vault: flag(ctx.args, 'vault'), q: flag(ctx.args, 'search'), trashed: has(ctx.args, 'trashed') ? 'true' : undefined }
    const client = await DaemonClient.connect(ctx.home)
    const all = await client.json(client.api.items.$get({ query }))
    const items = type === undefined ? all : all.filter(item => item.type === type)
    const showVault = query.vault === undefined
    ctx.out(items.map(item => itemLine(item, showVault)).join('\n'), items)
  }
}

export const getCommand: Command = {
  name: 'get',
  usage: 'kith get ID [--field NAME] [--json]',
  summary: "show an item, or print one field's raw value (e.g. --field password)",
  async run(ctx) {
    allowOnly(ctx.args, ['field'])
    const id = idArg(ctx.args, getCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const item = await client.json(client.api.items[':id'].$get({ param: { id: encodeURIComponent(id) } }))
    const field = flag(ctx.args, 'field')
    if (field === undefined) {
      ctx.out(itemText(item), item)
      return
    }
    let value: unknown
    if (field === 'url') value = item.urls[0] ?? ''
    else if (field === 'fingerprint' && item.sshKey !== undefined) value = item.sshKey.fingerprint
    else if (field in item && field !== 'fields') value = (item as Record<string, unknown>)[field]
    else value = typedFieldValue(item, field) ?? item.fields.find(f => f.name === field)?.value
    if (value === undefined) throw new CliError('not_found', `item ${id} has no field ${JSON.stringify(field)}`, EXIT.notFound)
    const raw = Array.isArray(value) ? value.join('\n') : value === null ? '' : String(value)
    ctx.out(raw, { [field]: value })
  }
}

/** `kith show ID`: what `kith get ID` prints, under the name `op` and `bw` users look for. */
export const showCommand: Command = {
  ...getCommand,
  name: 'show',
  usage: 'kith show ID [--field NAME] [--json]',
  summary: 'the same as kith get: an item with its type, typed fields (secrets masked) and expiry'
}

export const editCommand: Command = {
  name: 'edit',
  usage:
    'kith edit ID [--title T] [--username U] [--password-stdin | --generate | --password P] [--url URL]… [--notes N] [--totp-stdin | --totp S] [--field NAME=VALUE]… [--field-stdin NAME]… [--hidden-field NAME=VALUE]… [--tag T]… [--folder F] [--type T] [--detail NAME=VALUE]… [--detail-stdin NAME]… [--detail-file NAME=FILE]… [--expires DATE|never]',
  summary: 'change only the given fields of an item',
  help: STDIN_HELP,
  async run(ctx) {
    allowOnly(ctx.args, ITEM_FLAGS, ITEM_BOOLS)
    const id = idArg(ctx.args, editCommand.usage)
    let connected: DaemonClient | undefined
    const connect = async (): Promise<DaemonClient> => {
      connected ??= await DaemonClient.connect(ctx.home)
      return connected
    }
    const body = await itemFromInput(ctx.args, async () => {
      const c = await connect()
      return (await c.json(c.api.items[':id'].$get({ param: { id: encodeURIComponent(id) } }))).type
    })
    if (Object.keys(body).length === 0) throw new CliError('usage', 'nothing to change: give at least one field flag', EXIT.usage)
    const client = await connect()
    if (body.fields !== undefined) {
      // --field sets or replaces one named field and keeps the others
      const current = await client.json(client.api.items[':id'].$get({ param: { id: encodeURIComponent(id) } }))
      const merged = new Map<string, { name: string; value: string; hidden?: boolean }>(current.fields.map(f => [f.name, f]))
      for (const f of body.fields) merged.set(f.name, f)
      body.fields = [...merged.values()]
    }
    const item = await client.json(client.api.items[':id'].$patch({ param: { id: encodeURIComponent(id) }, json: body }))
    ctx.out(`updated ${String(item.id)}`, item)
  }
}

export const rmCommand: Command = {
  name: 'rm',
  usage: 'kith rm ID [--purge]',
  summary: 'move an item to the trash (--purge deletes it for good)',
  async run(ctx) {
    allowOnly(ctx.args, [], ['purge'])
    const id = idArg(ctx.args, rmCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(
      client.api.items[':id'].$delete({
        param: { id: encodeURIComponent(id) },
        query: { purge: has(ctx.args, 'purge') ? 'true' : undefined }
      })
    )
    ctx.out(res.purged === true ? `deleted ${id} for good` : `moved ${id} to the trash`, res)
  }
}

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'kith restore ID',
  summary: 'take an item out of the trash',
  async run(ctx) {
    allowOnly(ctx.args, [])
    const id = idArg(ctx.args, restoreCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const item = await client.json(client.api.items[':id'].restore.$post({ param: { id: encodeURIComponent(id) } }))
    ctx.out(`restored ${id}`, item)
  }
}

export const totpCommand: Command = {
  name: 'totp',
  usage: 'kith totp ID',
  summary: "print the item's current TOTP code (and, on stderr, how many seconds it stays valid; --json: remaining)",
  async run(ctx) {
    allowOnly(ctx.args, [])
    const id = idArg(ctx.args, totpCommand.usage)
    const client = await DaemonClient.connect(ctx.home)
    const res = await client.json(client.api.items[':id'].totp.$get({ param: { id: encodeURIComponent(id) } }))
    if (!ctx.json) process.stderr.write(`${totpNote(res.remaining, res.period)}\n`)
    ctx.out(String(res.code), res)
  }
}

/** A passphrase of EFF words, shaped by --words, --separator and --capitalize. */
async function passphraseFromFlags(a: ParsedArgs): Promise<string> {
  const words = flag(a, 'words')
  if (words !== undefined && !/^[0-9]+$/.test(words))
    throw new CliError('usage', `--words takes a whole number of words, got ${JSON.stringify(words)}`, EXIT.usage)
  try {
    return await generatePassphrase({
      words: words === undefined ? undefined : Number(words),
      separator: flag(a, 'separator'),
      capitalize: has(a, 'capitalize')
    })
  } catch (err) {
    throw new CliError('usage', toError(err).message, EXIT.usage)
  }
}

export const generateCommand: Command = {
  name: 'generate',
  usage:
    'kith generate [--length N] [--no-symbols] [--no-digits] [--no-upper] [--no-lower]\n  kith generate --passphrase [--words N] [--separator SEP|digit] [--capitalize]',
  summary: 'print a random password, or a passphrase of random words (needs no daemon)',
  help: [
    '--passphrase: words from the EFF large wordlist (7,776 words, 12.9 bits each); --words 3–20 (default 6);',
    '--separator: up to 3 characters between the words (default "-"), or "digit" for a random digit in each gap;',
    '--capitalize: each word starts with a capital letter.'
  ].join('\n'),
  async run(ctx) {
    if (has(ctx.args, 'passphrase') || ctx.args.flags.has('words')) {
      allowOnly(ctx.args, ['words', 'separator'], ['passphrase', 'capitalize'])
      const password = await passphraseFromFlags(ctx.args)
      return ctx.out(password, { password })
    }
    allowOnly(ctx.args, ['length'], ['no-symbols', 'no-digits', 'no-upper', 'no-lower'])
    const password = generateFromFlags(ctx.args)
    ctx.out(password, { password })
  }
}
