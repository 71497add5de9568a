/** Imports KeePass 2 XML exports (KeePass, KeePassXC `export -f xml`): nested groups, Recycle Bin, protected strings, TOTP, files. */
import { XMLParser } from 'fast-xml-parser'
import { decodeText } from './decodeText.js'
import { describeContent } from './detect.js'
import { ImportError } from './errors.js'
import { arr, obj, str } from './jsonShape.js'
import { ImportedFiles } from './importedFiles.js'
import { FAVORITE_KEY, keepassItem, splitKeePassTags, type KeePassString } from './keepassEntry.js'
import { KeePassXmlBinaries } from './keepassXmlBinaries.js'
import { Progress } from './progress.js'
import { isoFromKeePassTime } from './timestamps.js'
import type { ImportedItem, Importer } from './types.js'
import { itemLabel, Warnings } from './warnings.js'

const FORMAT = 'keepass-xml'
const LISTS = new Set(['Group', 'Entry', 'String', 'Binary', 'Association', 'Icon', 'Item', 'DeletedObject'])

/** Text content of a parsed element (a string, or an object with `#text` when it has attributes). */
function text(v: unknown): string {
  if (typeof v === 'string') return v
  return str(obj(v)['#text'])
}

function parse(data: Uint8Array): Record<string, unknown> {
  const xml = decodeText(FORMAT, data)
  const head = xml.trimStart()
  if (!head.startsWith('<')) throw new ImportError(FORMAT, `this is not XML (${describeContent(data)})`, { location: 'line 1' })
  // Escaped text cannot hold a literal `<!`, so a declaration anywhere (after any amount of comments) is markup.
  const declaration = /<!(DOCTYPE|ENTITY)/i.exec(xml)
  if (declaration !== null)
    throw new ImportError(
      FORMAT,
      `the XML has a ${(declaration[1] as string).toUpperCase()} declaration, which KeePass never writes; refused (no entity processing)`,
      { location: `character ${declaration.index}` }
    )
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    jPath: false,
    isArray: (name: string) => LISTS.has(name)
  })
  let doc: Record<string, unknown>
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const m = /:(\d+):(\d+)$/.exec(message)
    throw new ImportError(FORMAT, `malformed XML: ${message.replace(/:\d+:\d+$/, '')} (truncated or edited file?)`, {
      location: m !== null ? `line ${m[1] as string}, column ${m[2] as string}` : undefined,
      cause: err
    })
  }
  const file = doc.KeePassFile
  if (file === undefined)
    throw new ImportError(FORMAT, `no <KeePassFile> element: this is not a KeePass 2 XML export (${describeContent(data)})`)
  return obj(file)
}

interface Placed {
  entry: Record<string, unknown>
  path: string[]
  inBin: boolean
}

/** Every entry with its group path below the root group, depth first, entries before subgroups (document order). */
function collectEntries(root: Record<string, unknown>, binUuid: string, groupPaths: Map<string, string[]>): Placed[] {
  const out: Placed[] = []
  const walk = (group: Record<string, unknown>, path: string[], inBin: boolean): void => {
    groupPaths.set(text(group.UUID), path)
    for (const e of arr(group.Entry)) out.push({ entry: obj(e), path, inBin })
    for (const g of arr(group.Group).map(obj)) {
      const isBin = binUuid !== '' && text(g.UUID) === binUuid
      walk(g, isBin ? [] : [...path, text(g.Name)], inBin || isBin)
    }
  }
  walk(root, [], false)
  return out
}

function strings(entry: Record<string, unknown>, where: string): KeePassString[] {
  return arr(entry.String)
    .map(obj)
    .map(s => {
      const value = obj(s.Value)
      if (str(value['@_Protected']).toLowerCase() === 'true') {
        throw new ImportError(
          FORMAT,
          `the value of '${text(s.Key)}' is encrypted (Protected="True"): this XML came from inside a KDBX file, not from an export`,
          { location: where }
        )
      }
      return { key: text(s.Key), value: text(s.Value), protected: str(value['@_ProtectInMemory']).toLowerCase() === 'true' }
    })
}

/** Reads a KeePass 2 `.xml` export. Recycle Bin entries are imported as trashed, in the folder they were deleted from when known. */
export const importKeepassXml: Importer = async (data, options) => {
  const file = parse(data)
  const meta = obj(file.Meta)
  const rootGroup = obj(arr(obj(file.Root).Group)[0])
  const binUuid = text(meta.RecycleBinEnabled).toLowerCase() === 'false' ? '' : text(meta.RecycleBinUUID)
  const groupPaths = new Map<string, string[]>()
  const placed = collectEntries(rootGroup, binUuid, groupPaths)
  const warnings = new Warnings()
  const binaries = new KeePassXmlBinaries(FORMAT, meta, new ImportedFiles(FORMAT, warnings))
  const progress = new Progress(placed.length, options.onProgress)
  const items: ImportedItem[] = []
  for (const { entry, path, inBin } of placed) {
    const rawTitle = arr(entry.String)
      .map(obj)
      .find(x => text(x.Key) === 'Title')
    const strs = strings(
      entry,
      `entry ${items.length + 1}${rawTitle !== undefined ? ` (${itemLabel(text(rawTitle.Value), items.length)})` : ''}`
    )
    const title = strs.find(s => s.key === 'Title')?.value ?? ''
    const label = itemLabel(title, items.length)
    const previous = inBin ? groupPaths.get(text(entry.PreviousParentGroup)) : undefined
    const times = obj(entry.Times)
    items.push(
      keepassItem(
        {
          strings: strs,
          tags: splitKeePassTags(text(entry.Tags)),
          folder: (previous ?? path).join('/'),
          trashed: inBin,
          attachments: binaries.entryFiles(entry, label),
          history: arr(obj(entry.History).Entry)
            .map(obj)
            .map(h => ({
              strings: strings(h, `${label} (an older version)`),
              tags: splitKeePassTags(text(h.Tags)),
              updatedAt: isoFromKeePassTime(text(obj(h.Times).LastModificationTime))
            })),
          expires: text(times.Expires).toLowerCase() === 'true',
          expiryTime: isoFromKeePassTime(text(times.ExpiryTime)),
          favorite: arr(obj(entry.CustomData).Item)
            .map(obj)
            .some(i => text(i.Key) === FAVORITE_KEY && text(i.Value).toLowerCase() === 'true'),
          createdAt: isoFromKeePassTime(text(times.CreationTime)),
          updatedAt: isoFromKeePassTime(text(times.LastModificationTime))
        },
        label,
        warnings
      )
    )
    await progress.tick()
  }
  progress.finish()
  return { items, warnings: warnings.list() }
}
