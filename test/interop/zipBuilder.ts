/** Builds zip archives for the 1PUX tests: stored or deflated entries, optionally with a size header that lies. */
import { deflateRawSync } from 'node:zlib'
import { utf8 } from './helpers.js'

export interface ZipInput {
  name: string
  data: Uint8Array
  /** 0 stored, 8 deflate (default) */
  method?: 0 | 8
  /** the uncompressed size the headers declare (default: the real one) */
  declaredSize?: number
  /** the bytes to write instead of compressing `data` (a ready-made bomb) */
  raw?: Uint8Array
}

/** A zip archive of `entries`, in order, with UTF-8 names (general purpose flag bit 11). */
export function zipOf(entries: ZipInput[]): Uint8Array {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(utf8(e.name))
    const method = e.method ?? 8
    const body = Buffer.from(e.raw ?? (method === 8 ? deflateRawSync(e.data) : e.data))
    const size = e.declaredSize ?? e.data.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += 30 + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...locals, directory, end]))
}

/** A 1PUX archive: `items` in one vault named Personal, plus the given files (`files/<documentId>__<name>`). */
export function onePuxOf(items: unknown[], files: ZipInput[] = []): Uint8Array {
  const data = {
    accounts: [{ attrs: { accountName: 'Test', name: 'Test' }, vaults: [{ attrs: { uuid: 'v1', name: 'Personal', type: 'P' }, items }] }]
  }
  return zipOf([
    { name: 'export.attributes', data: utf8(JSON.stringify({ version: 3, description: '1Password Unencrypted Export', createdAt: 1 })) },
    { name: 'export.data', data: utf8(JSON.stringify(data)) },
    ...files
  ])
}

/** A 1PUX login item whose section fields name files, each `[documentId, fileName]`. */
export function onePuxItemWithFiles(title: string, files: Array<[string, string]>): unknown {
  return {
    uuid: title.replace(/\W/g, '').toLowerCase(),
    favIndex: 0,
    createdAt: 1733000000,
    updatedAt: 1733000100,
    state: 'active',
    categoryUuid: '001',
    details: {
      loginFields: [],
      notesPlain: '',
      passwordHistory: [],
      sections: [
        {
          title: 'Files',
          name: 'files',
          fields: files.map(([documentId, fileName], k) => ({
            title: `f${k}`,
            id: `f${k}`,
            value: { file: { fileName, documentId, decryptedSize: 0 } }
          }))
        }
      ]
    },
    overview: { title, url: '' }
  }
}
