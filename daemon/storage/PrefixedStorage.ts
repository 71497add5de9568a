/**
 * One part's view of the store: a StorageAdapter over a parent adapter in which every key is
 * relative to `prefix`. Reads, writes, batches, iteration and clear() stay inside the prefix, so a
 * part handed a view cannot read, list, delete or clear another part's records.
 *
 * The store's lifecycle stays with the root adapter: a view's open() and close() do nothing (closing
 * a part must not close the store under the other parts). compact() asks the parent to compact:
 * compaction changes no key or value, only what is physically on disk, and LevelDB compacts whole
 * files that hold other parts' records too; a purge relies on it to drop old ciphertext from them.
 */
import type { StorageAdapter, StorageOp } from './StorageAdapter.js'
import { StoragePrefixError } from './errors.js'

/** `ops` with `prefix` put before every key: a part's operations in its parent's key space. */
export function prefixOps(prefix: string, ops: StorageOp[]): StorageOp[] {
  return ops.map(op => (op.type === 'put' ? { type: 'put', key: prefix + op.key, value: op.value } : { type: 'del', key: prefix + op.key }))
}

export class PrefixedStorage implements StorageAdapter {
  /**
   * @param parent the adapter the keys are written to (the root, or another view)
   * @param prefix non-empty and ending in '/', so that `vault/a/` can never see `vault/ab/`
   */
  constructor(
    private readonly parent: StorageAdapter,
    readonly prefix: string
  ) {
    if (prefix === '' || !prefix.endsWith('/'))
      throw new StoragePrefixError(`a storage view's prefix must be non-empty and end in '/' (got ${JSON.stringify(prefix)})`)
  }

  /** The same operations in the parent's key space: for one atomic batch that spans several parts. */
  parentOps(ops: StorageOp[]): StorageOp[] {
    return prefixOps(this.prefix, ops)
  }

  // The parent's promise is handed back as is: a view adds no turn of the event loop to a write,
  // so code that races a write against other work sees the same order through a view as without.
  async open(): Promise<void> {}
  get(key: string): Promise<Uint8Array | undefined> {
    return this.parent.get(this.prefix + key)
  }
  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return this.parent.getMany(keys.map(k => this.prefix + k))
  }
  put(key: string, value: Uint8Array): Promise<void> {
    return this.parent.put(this.prefix + key, value)
  }
  del(key: string): Promise<void> {
    return this.parent.del(this.prefix + key)
  }
  batch(ops: StorageOp[]): Promise<void> {
    return this.parent.batch(this.parentOps(ops))
  }

  async *entries(prefix: string, options: { limit?: number; gt?: string } = {}): AsyncIterable<[string, Uint8Array]> {
    const gt = options.gt === undefined ? undefined : this.prefix + options.gt
    for await (const [key, value] of this.parent.entries(this.prefix + prefix, { limit: options.limit, gt }))
      yield [key.slice(this.prefix.length), value]
  }

  async *keys(prefix: string): AsyncIterable<string> {
    for await (const key of this.parent.keys(this.prefix + prefix)) yield key.slice(this.prefix.length)
  }

  async compact(): Promise<void> {
    await this.parent.compact()
  }

  /** Deletes every entry under the prefix, in one batch; the rest of the store is untouched. */
  async clear(): Promise<void> {
    const ops: StorageOp[] = []
    for await (const key of this.parent.keys(this.prefix)) ops.push({ type: 'del', key })
    await this.parent.batch(ops)
  }

  async close(): Promise<void> {}
}
