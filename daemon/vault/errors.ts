/** Named errors of the vault model. */
export class VaultError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'VaultError'
  }
}

export class ItemNotFoundError extends VaultError {
  constructor(readonly id: string) {
    super(`no item with id ${id}`)
    this.name = 'ItemNotFoundError'
  }
}

export class VersionNotFoundError extends VaultError {
  constructor(readonly id: string) {
    super(`this item's history has no version ${id}`)
    this.name = 'VersionNotFoundError'
  }
}

export class InvalidItemError extends VaultError {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidItemError'
  }
}
