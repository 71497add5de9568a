/** Maps a KeePass entry (from KeePass XML or KDBX) to an ImportedItem: standard strings, extra URLs, TOTP forms, custom strings. */
import type { CustomField } from '../vault/Item.js'
import { makeItem } from './importedItem.js'
import { fromKeePassTimeOtp, fromLegacyKeePass, settleTotp, toOtpauth, type TotpResult } from './totp.js'
import type { ImportedAttachment, ImportedItem } from './types.js'
import { keepassTyped } from './keepassTypes.js'
import { Warnings } from './warnings.js'
import { versionsFromStates } from './importedHistory.js'

/** One `String` of an entry. */
export interface KeePassString {
  key: string
  value: string
  protected: boolean
}

/** An entry as both readers see it. */
export interface KeePassEntryData {
  strings: KeePassString[]
  tags: string[]
  /** folder path below the root group */
  folder: string
  trashed: boolean
  /** the entry's files, read (and limited) by the caller */
  attachments: ImportedAttachment[]
  /** the entry's older copies (`<History>`), each with its strings, tags and modification time */
  history: KeePassPastEntry[]
  expires: boolean
  /** ISO 8601: when the entry expires, if `expires` */
  expiryTime?: string
  favorite: boolean
  createdAt?: string
  updatedAt?: string
}

/** An older copy of an entry, as KeePass keeps it in the entry's history. */
export interface KeePassPastEntry {
  strings: KeePassString[]
  tags: string[]
  updatedAt?: string
}

/** Entry CustomData key Kith uses to carry "favourite", which KeePass has no field for. */
export const FAVORITE_KEY = 'Kith/Favorite'

const STANDARD = new Set(['Title', 'UserName', 'Password', 'URL', 'Notes'])
const EXTRA_URL = /^KP2A_URL(?:_(\d+))?$/
const LEGACY_TOTP = new Set(['TOTP Seed', 'TOTP Settings'])

/** KeePassXC splits tags on `,`, `;` and tab (KeePass 2 writes them space-separated, which KeePassXC reads as one tag). */
export function splitKeePassTags(tags: string): string[] {
  return tags
    .split(/[,;\t]/)
    .map(t => t.trim())
    .filter(t => t !== '')
}

/** The entry as an ImportedItem (its expiry, files and history kept, its type by Kith's convention); what Kith cannot carry is noted under `label`. */
export function keepassItem(entry: KeePassEntryData, label: string, warnings: Warnings): ImportedItem {
  const w = (kind: string): void => warnings.note(kind, label)
  const byKey = new Map(entry.strings.map(s => [s.key, s]))
  const get = (key: string): string | undefined => byKey.get(key)?.value
  const title = get('Title') ?? ''
  const username = get('UserName') ?? ''
  const ctx = { title, username }
  const consumed = new Set<string>()
  let totp: TotpResult = { uri: null }
  if ((get('otp') ?? '').trim() !== '') {
    totp = toOtpauth(get('otp'), ctx)
    consumed.add('otp')
  } else if ((get('TOTP Seed') ?? '').trim() !== '') {
    totp = fromLegacyKeePass(get('TOTP Seed') ?? '', get('TOTP Settings'), ctx)
    for (const k of LEGACY_TOTP) consumed.add(k)
  } else {
    const timeOtp = fromKeePassTimeOtp(get, ctx)
    if (timeOtp !== null) {
      totp = timeOtp
      for (const k of byKey.keys()) if (k.startsWith('TimeOtp-')) consumed.add(k)
    }
  }
  const extraUrls = entry.strings
    .map(s => ({ s, m: EXTRA_URL.exec(s.key) }))
    .filter(x => x.m !== null)
    .sort((a, b) => Number(a.m?.[1] ?? 0) - Number(b.m?.[1] ?? 0))
  for (const x of extraUrls) consumed.add(x.s.key)
  const rejected: CustomField[] = []
  const typed = keepassTyped(byKey, consumed, rejected, w)
  const fields: CustomField[] = entry.strings
    .filter(s => !STANDARD.has(s.key) && !consumed.has(s.key))
    .map(s => ({ name: s.key, value: s.value, hidden: s.protected }))
  fields.push(...rejected)
  const item = makeItem({
    title,
    username,
    password: get('Password') ?? '',
    urls: [get('URL') ?? '', ...extraUrls.map(x => x.s.value)],
    notes: get('Notes') ?? '',
    totp: settleTotp(totp, fields, w),
    fields,
    tags: entry.tags,
    folder: entry.folder,
    trashed: entry.trashed,
    favorite: entry.favorite,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    expiresAt: entry.expires && entry.expiryTime !== undefined ? entry.expiryTime : null,
    ...typed
  })
  if (entry.attachments.length > 0) item.attachments = entry.attachments
  if (entry.history.length > 0) {
    // each older copy read the same way (its own notes about what was not kept are not repeated)
    const past = entry.history.map(h => ({
      at: h.updatedAt,
      item: keepassItem({ ...entry, ...h, history: [], attachments: [], expires: false }, label, new Warnings())
    }))
    item.history = versionsFromStates(past, item)
  }
  return item
}
