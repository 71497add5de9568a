/** Exports KeePass 2 XML that `keepassxc-cli import` and KeePass accept: groups, Recycle Bin, protected fields, otp, KP2A_URL_n, files, entry history. */
import { createHash } from 'node:crypto'
import type { Item } from '../vault/Item.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'
import { ByteChunks } from './ByteChunks.js'
import { KeepassBinaries } from './keepassBinaries.js'
import { FAVORITE_KEY } from './keepassEntry.js'
import { keepassTypedStrings, TYPED_KEYS } from './keepassTypes.js'
import { pastStates } from './pastStates.js'
import { Progress } from './progress.js'
import type { Exporter } from './types.js'

/** Keys Kith writes itself; a custom field with one of these names gets a " (2)" suffix. */
const RESERVED = /^(Title|UserName|Password|URL|Notes|otp|TOTP Seed|TOTP Settings|KP2A_URL(_\d+)?|TimeOtp-.*)$/

/** How many older copies of an entry KeePass and KeePassXC keep when the file does not say. */
const DEFAULT_HISTORY_MAX_ITEMS = 10

/** Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR, U+FFFE/U+FFFF, and unpaired surrogates. */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters it removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Text content for XML 1.0: escapes markup, writes CR as a character reference, drops characters XML cannot hold. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

/** A stable 16-byte KeePass UUID (base64) for a name, so exporting twice gives the same UUIDs. */
function uuid(name: string): string {
  return createHash('sha256').update(name).digest().subarray(0, 16).toString('base64')
}

function time(iso: string): string {
  const d = new Date(iso)
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function times(created: string, modified: string, expires: string | null = null): string {
  return (
    `<Times><CreationTime>${time(created)}</CreationTime><LastModificationTime>${time(modified)}</LastModificationTime>` +
    `<LastAccessTime>${time(modified)}</LastAccessTime><ExpiryTime>${time(expires ?? modified)}</ExpiryTime>` +
    `<Expires>${expires === null ? 'False' : 'True'}</Expires>` +
    `<UsageCount>0</UsageCount><LocationChanged>${time(modified)}</LocationChanged></Times>`
  )
}

function str(key: string, value: string, protect = false): string {
  return `<String><Key>${xmlText(key)}</Key><Value${protect ? ' ProtectInMemory="True"' : ''}>${xmlText(value)}</Value></String>`
}

/** The entry's strings: the standard ones, extra URLs, `otp`, typed fields and custom fields (unique keys). */
function strings(i: Item): string[] {
  const used = new Set<string>()
  const unique = (name: string): string => {
    const base = name.trim() === '' ? 'Field' : name
    let key = base
    for (let k = 2; RESERVED.test(key) || TYPED_KEYS.test(key) || used.has(key); k++) key = `${base} (${k})`
    used.add(key)
    return key
  }
  const parts = [
    str('Title', i.title),
    str('UserName', i.username),
    str('Password', i.password, true),
    str('URL', i.urls[0] ?? ''),
    str('Notes', i.notes)
  ]
  for (const [k, u] of i.urls.slice(1).entries()) parts.push(str(`KP2A_URL_${k + 1}`, u))
  if (i.totp !== null) parts.push(str('otp', i.totp, true))
  for (const [key, value, secret] of keepassTypedStrings(i)) parts.push(str(key, value, secret))
  for (const f of i.fields) parts.push(str(unique(f.name), f.value, f.hidden))
  return parts
}

const tags = (i: Item): string => `<Tags>${xmlText(i.tags.map(t => t.replace(/[,;\t]/g, ' ')).join(','))}</Tags>`

/**
 * `<History>` with the entry's older copies, oldest first, rebuilt from the item's versions
 * (pastStates.ts); a copy that shows the same as the next older one is left out. Empty without versions.
 */
function history(i: Item, versions: HistoryVersion[], id: string): { xml: string; count: number } {
  const copies: string[] = []
  let previous = ''
  for (const { at, item } of pastStates(i, versions)) {
    const shown = tags(item) + strings(item).join('')
    if (shown === previous) continue
    previous = shown
    copies.push(`<Entry><UUID>${id}</UUID>${times(i.createdAt, at, item.expiresAt)}${shown}</Entry>`)
  }
  return { xml: copies.length === 0 ? '' : `<History>${copies.join('')}</History>`, count: copies.length }
}

/** What every entry needs beyond its item: its files' references, its older copies, and the most copies any entry has. */
interface EntryContext {
  binaries: KeepassBinaries
  historyOf: ((itemId: string) => HistoryVersion[]) | undefined
  mostCopies: number
}

function entry(i: Item, ctx: EntryContext): string {
  const id = uuid('entry:' + i.id)
  const past = ctx.historyOf === undefined ? { xml: '', count: 0 } : history(i, ctx.historyOf(i.id), id)
  ctx.mostCopies = Math.max(ctx.mostCopies, past.count)
  const parts = [`<UUID>${id}</UUID>`, tags(i), times(i.createdAt, i.updatedAt, i.expiresAt), ...strings(i)]
  parts.push(ctx.binaries.entryRefs(i, xmlText))
  if (i.favorite) parts.push(`<CustomData><Item><Key>${FAVORITE_KEY}</Key><Value>True</Value></Item></CustomData>`)
  parts.push(past.xml)
  return `<Entry>${parts.join('')}</Entry>`
}

/** A group tree node: entries and subgroups by name. */
interface Node {
  entries: Item[]
  groups: Map<string, Node>
}

function place(root: Node, folder: string, item: Item): void {
  let node = root
  for (const name of folder.split('/').filter(p => p !== '')) {
    let next = node.groups.get(name)
    if (next === undefined) {
      next = { entries: [], groups: new Map() }
      node.groups.set(name, next)
    }
    node = next
  }
  node.entries.push(item)
}

async function group(
  name: string,
  id: string,
  node: Node,
  progress: Progress,
  now: string,
  ctx: EntryContext,
  extra = ''
): Promise<string> {
  const out = [`<Group><UUID>${id}</UUID><Name>${xmlText(name)}</Name>${times(now, now)}${extra}`]
  for (const e of node.entries) {
    out.push(entry(e, ctx))
    await progress.tick()
  }
  for (const [child, sub] of node.groups) out.push(await group(child, uuid(`group:${id}/${child}`), sub, progress, now, ctx))
  out.push('</Group>')
  return out.join('\n')
}

/**
 * Exports KeePass 2 XML. Folders become groups under a root named after `options.vaultName` (default "Kith");
 * trashed items go to a Recycle Bin with subgroups mirroring their folders; the password, hidden fields and `otp`
 * are written with ProtectInMemory; extra URLs as KP2A_URL_1…; favourites as entry CustomData `Kith/Favorite`; expiry
 * dates as KeePass's own; item types and typed fields by Kith's convention (keepassTypes.ts); files in `<Meta><Binaries>`
 * (keepassBinaries.ts); the item's versions (`options.historyOf`) as the entry's `<History>` of older copies.
 */
export const exportKeepassXml: Exporter = async (items, options) => {
  const name = options.vaultName !== undefined && options.vaultName !== '' ? options.vaultName : 'Kith'
  const now = new Date().toISOString()
  const live: Node = { entries: [], groups: new Map() }
  const bin: Node = { entries: [], groups: new Map() }
  for (const i of items) place(i.trashed ? bin : live, i.folder, i)
  const rootId = uuid('root:' + name)
  const binId = uuid('recycle-bin:' + name)
  const progress = new Progress(items.length, options.onProgress)
  const ctx: EntryContext = { binaries: new KeepassBinaries(items), historyOf: options.historyOf, mostCopies: 0 }
  const binXml = await group(
    'Recycle Bin',
    binId,
    bin,
    progress,
    now,
    ctx,
    '<IconID>43</IconID><EnableAutoType>false</EnableAutoType><EnableSearching>false</EnableSearching>'
  )
  const rootXml = (await group(name, rootId, live, progress, now, ctx)).replace(/<\/Group>$/, binXml + '\n</Group>')
  const out = new ByteChunks().text(
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<KeePassFile>\n' +
      `<Meta><Generator>Kith</Generator><DatabaseName>${xmlText(name)}</DatabaseName>` +
      '<MemoryProtection><ProtectTitle>False</ProtectTitle><ProtectUserName>False</ProtectUserName><ProtectPassword>True</ProtectPassword>' +
      '<ProtectURL>False</ProtectURL><ProtectNotes>False</ProtectNotes></MemoryProtection>' +
      `<RecycleBinEnabled>True</RecycleBinEnabled><RecycleBinUUID>${binId}</RecycleBinUUID>` +
      // KeePass trims an entry's history to this many copies on its next edit (default 10): keep all written
      (ctx.mostCopies > DEFAULT_HISTORY_MAX_ITEMS ? `<HistoryMaxItems>${ctx.mostCopies}</HistoryMaxItems>` : '')
  )
  await ctx.binaries.write(out, 'keepass-xml', options)
  out.text(`</Meta>\n<Root>\n${rootXml}\n</Root>\n</KeePassFile>\n`)
  progress.finish()
  return out.finish()
}
