/** Named errors of the vault service (the use-case layer the API and CLI drive). */
export class ServiceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ServiceError'
  }
}
export class VaultNotFoundError extends ServiceError {
  constructor(name: string) {
    super(`no vault named ${JSON.stringify(name)}`)
    this.name = 'VaultNotFoundError'
  }
}
export class VaultExistsError extends ServiceError {
  constructor(name: string) {
    super(`a vault named ${JSON.stringify(name)} already exists`)
    this.name = 'VaultExistsError'
  }
}
export class InvalidRequestError extends ServiceError {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidRequestError'
  }
}
