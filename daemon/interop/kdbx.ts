/** Imports KeePass KDBX databases (3.1, 4.0, 4.1; AES-KDF or Argon2d/id; AES-256 or ChaCha20) with a password, via kdbxweb; entries' files come too. */
import kdbxweb from 'kdbxweb'
import { checkSize } from './decodeText.js'
import { describeContent } from './detect.js'
import { ImportError, PasswordRequiredError, WrongPasswordError } from './errors.js'
import { ImportedFiles } from './importedFiles.js'
import { kdbxEntryFiles } from './kdbxBinaries.js'
import { FAVORITE_KEY, keepassItem, splitKeePassTags, type KeePassString } from './keepassEntry.js'
import { setUpKdbxweb } from './kdbxSetup.js'
import { Progress } from './progress.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'kdbx'
const MAGIC = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5]

async function load(data: Uint8Array, password: string): Promise<kdbxweb.Kdbx> {
  setUpKdbxweb()
  const credentials = new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString(password))
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
  try {
    return await kdbxweb.Kdbx.load(buffer, credentials)
  } catch (err) {
    if (err instanceof ImportError) throw err
    const code = err instanceof kdbxweb.KdbxError ? err.code : ''
    const message = err instanceof Error ? err.message : String(err)
    if (code === kdbxweb.Consts.ErrorCodes.InvalidKey)
      throw new WrongPasswordError(FORMAT, 'wrong password (or the database also needs a key file, which Kith does not support)', {
        cause: err
      })
    if (code === kdbxweb.Consts.ErrorCodes.InvalidVersion || code === kdbxweb.Consts.ErrorCodes.Unsupported)
      throw new ImportError(FORMAT, `unsupported database: ${message}`, { cause: err })
    throw new ImportError(FORMAT, `the database is corrupt or truncated (${message})`, { cause: err })
  }
}

interface Placed {
  entry: kdbxweb.KdbxEntry
  path: string[]
  inBin: boolean
}

function collect(root: kdbxweb.KdbxGroup, binId: string | undefined, groupPaths: Map<string, string[]>): Placed[] {
  const out: Placed[] = []
  const walk = (group: kdbxweb.KdbxGroup, path: string[], inBin: boolean): void => {
    groupPaths.set(group.uuid.id, path)
    for (const entry of group.entries) out.push({ entry, path, inBin })
    for (const g of group.groups) {
      const isBin = binId !== undefined && g.uuid.id === binId
      walk(g, isBin ? [] : [...path, g.name ?? ''], inBin || isBin)
    }
  }
  walk(root, [], false)
  return out
}

function strings(entry: kdbxweb.KdbxEntry): KeePassString[] {
  return [...entry.fields].map(([key, value]) =>
    typeof value === 'string' ? { key, value, protected: false } : { key, value: value.getText(), protected: true }
  )
}

/** Reads a `.kdbx` database opened with `options.password` (key files and YubiKeys are not supported). */
export const importKdbx: Importer = async (data, options) => {
  checkSize(FORMAT, data)
  if (!MAGIC.every((b, i) => data[i] === b))
    throw new ImportError(FORMAT, `this is not a KDBX database (${describeContent(data)})`, { location: 'byte 0' })
  if (options.password === undefined) throw new PasswordRequiredError(FORMAT)
  const db = await load(data, options.password)
  const root = db.groups[0]
  if (root === undefined) return { items: [], warnings: [] }
  const binId = db.meta.recycleBinEnabled !== false ? db.meta.recycleBinUuid?.id : undefined
  const groupPaths = new Map<string, string[]>()
  const placed = collect(root, binId, groupPaths)
  const warnings = new Warnings()
  const files = new ImportedFiles(FORMAT, warnings)
  const progress = new Progress(placed.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const { entry, path, inBin } of placed) {
    const strs = strings(entry)
    const previous = inBin && entry.previousParentGroup !== undefined ? groupPaths.get(entry.previousParentGroup.id) : undefined
    const label = itemLabel(strs.find(s => s.key === 'Title')?.value ?? '', items.length)
    items.push(
      keepassItem(
        {
          strings: strs,
          tags: entry.tags.flatMap(splitKeePassTags),
          folder: (previous ?? path).join('/'),
          trashed: inBin,
          attachments: kdbxEntryFiles(entry, label, files),
          history: entry.history.map(h => ({
            strings: strings(h),
            tags: h.tags.flatMap(splitKeePassTags),
            updatedAt: h.times.lastModTime?.toISOString()
          })),
          expires: entry.times.expires === true,
          expiryTime: entry.times.expiryTime?.toISOString(),
          favorite: entry.customData?.get(FAVORITE_KEY)?.value?.toLowerCase() === 'true',
          createdAt: entry.times.creationTime?.toISOString(),
          updatedAt: entry.times.lastModTime?.toISOString()
        },
        label,
        warnings
      )
    )
    await progress.tick()
  }
  if (db.groups.length > 1) warnings.add(`the database has ${db.groups.length} root groups; only the first was read`)
  progress.finish()
  return { items, warnings: warnings.list() }
}
