/** Named errors of the storage layer. */
export class StorageError extends Error {
  constructor (message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'StorageError' }
}

/** Another process (another daemon) already holds this data directory's database. */
export class StorageLockedError extends StorageError {
  constructor (message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'StorageLockedError' }
}
