/** Named errors of the storage layer. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageError'
  }
}

/** Another process (another daemon) already holds this data directory's database. */
export class StorageLockedError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageLockedError'
  }
}

/** A storage view was asked for a prefix that would not isolate it (empty, or not ending in '/'). */
export class StoragePrefixError extends StorageError {
  constructor(message: string) {
    super(message)
    this.name = 'StoragePrefixError'
  }
}

/** A stored key does not have the shape the storage layout gives it. */
export class StorageKeyError extends StorageError {
  constructor(key: string, shape: string) {
    super(`malformed storage key ${JSON.stringify(key)} (expected ${shape})`)
    this.name = 'StorageKeyError'
  }
}
