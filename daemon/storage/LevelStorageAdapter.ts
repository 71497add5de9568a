/** The StorageAdapter on LevelDB (classic-level, what `level` uses on Node); the only module that imports it. */
import { ClassicLevel as Level } from 'classic-level'
import type { StorageAdapter, StorageOp } from './StorageAdapter.js'
import { StorageError, StorageLockedError } from './errors.js'
import { toError } from '../toError.js'

// The highest code point: `prefix + END` bounds a prefix range from above.
const END = '\udbff\udfff'

export class LevelStorageAdapter implements StorageAdapter {
  private readonly db: Level<string, Uint8Array>

  constructor(readonly location: string) {
    this.db = new Level<string, Uint8Array>(location, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
      // a small block cache: the replica reads everything once per unlock and then only writes
      cacheSize: 2 * 1024 * 1024,
      // half LevelDB's default write buffer: it and the one being written out are held in memory
      // while a file's chunks come in (a 20 MB attachment fills it five times over)
      writeBufferSize: 2 * 1024 * 1024,
      // nearly every value is sealed (random-looking) bytes, which never compress: trying only costs
      // CPU at every write-out and compaction (tables written before stay readable either way)
      compression: false
    })
  }

  async open(): Promise<void> {
    try {
      await this.db.open()
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause
      if (cause?.message?.includes('LOCK') === true) {
        throw new StorageLockedError(
          `the database at ${this.location} is in use by another process (is another Kith daemon running on this data directory?)`,
          { cause: err }
        )
      }
      throw new StorageError(`cannot open the database at ${this.location}: ${toError(err).message}`, { cause: err })
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return await this.db.get(key)
  }
  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return await this.db.getMany(keys)
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    await this.db.put(key, value)
  }
  async del(key: string): Promise<void> {
    await this.db.del(key)
  }
  async batch(ops: StorageOp[]): Promise<void> {
    if (ops.length === 0) return
    await this.db.batch(
      ops.map(op => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }))
    )
  }

  async *entries(prefix: string, options: { limit?: number; gt?: string } = {}): AsyncIterable<[string, Uint8Array]> {
    const range = options.gt !== undefined && options.gt >= prefix ? { gt: options.gt } : { gte: prefix }
    yield* this.db.iterator({ ...range, lt: prefix + END, limit: options.limit ?? -1 })
  }

  async *keys(prefix: string): AsyncIterable<string> {
    yield* this.db.keys({ gte: prefix, lt: prefix + END })
  }

  /** Compacts the whole key space so that deleted records are physically removed from the SST files. */
  async compact(): Promise<void> {
    await this.db.compactRange('', END)
  }

  async clear(): Promise<void> {
    await this.db.clear()
  }
  async close(): Promise<void> {
    await this.db.close()
  }
}
