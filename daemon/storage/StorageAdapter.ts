/**
 * The storage seam: an ordered key-value store of opaque bytes. Adapters never interpret keys or
 * values; everything they hold is already sealed by the layers above (keys are ids, never secrets).
 */
export type StorageOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

export interface StorageAdapter {
  /** Opens the store; throws StorageLockedError when another process holds it. */
  open: () => Promise<void>
  /** The value at `key`, or undefined when absent. */
  get: (key: string) => Promise<Uint8Array | undefined>
  /** Values for many keys in one read, in the same order (undefined for absent ones). */
  getMany: (keys: string[]) => Promise<Array<Uint8Array | undefined>>
  put: (key: string, value: Uint8Array) => Promise<void>
  del: (key: string) => Promise<void>
  /** Applies all operations atomically: after a crash either all or none are present. */
  batch: (ops: StorageOp[]) => Promise<void>
  /** Entries whose key starts with `prefix`, in ascending key order. */
  entries: (prefix: string, options?: { limit?: number; gt?: string }) => AsyncIterable<[string, Uint8Array]>
  /** Keys that start with `prefix`, in ascending order. */
  keys: (prefix: string) => AsyncIterable<string>
  /** Physically drops deleted and overwritten data from disk (no-op where nothing persists). */
  compact: () => Promise<void>
  /** Deletes every entry. */
  clear: () => Promise<void>
  close: () => Promise<void>
}
