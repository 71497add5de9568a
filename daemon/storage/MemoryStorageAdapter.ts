/** An in-memory StorageAdapter for fast unit tests of the layers above storage. */
import type { StorageAdapter, StorageOp } from './StorageAdapter.js'

export class MemoryStorageAdapter implements StorageAdapter {
  private readonly map = new Map<string, Uint8Array>()

  async open(): Promise<void> {}
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key)
  }
  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return keys.map(k => this.map.get(k))
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    this.map.set(key, Uint8Array.from(value))
  }
  async del(key: string): Promise<void> {
    this.map.delete(key)
  }
  async batch(ops: StorageOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.map.set(op.key, Uint8Array.from(op.value))
      else this.map.delete(op.key)
    }
  }

  async *entries(prefix: string, options: { limit?: number; gt?: string } = {}): AsyncIterable<[string, Uint8Array]> {
    const keys = [...this.map.keys()].filter(k => k.startsWith(prefix) && (options.gt === undefined || k > options.gt)).sort()
    let n = 0
    for (const k of keys) {
      if (options.limit !== undefined && n++ >= options.limit) return
      const v = this.map.get(k)
      if (v !== undefined) yield [k, v]
    }
  }

  async *keys(prefix: string): AsyncIterable<string> {
    for await (const [k] of this.entries(prefix)) yield k
  }

  async compact(): Promise<void> {}
  async clear(): Promise<void> {
    this.map.clear()
  }
  async close(): Promise<void> {}
}
