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
/** A passkey ceremony's answer was refused: its signature, origin, user verification, counter or credential. */
export class PasskeyRefusedError extends ServiceError {
  constructor(message: string) {
    super(message)
    this.name = 'PasskeyRefusedError'
  }
}
export class PasskeyNotFoundError extends ServiceError {
  constructor(message = 'no such passkey on this device') {
    super(message)
    this.name = 'PasskeyNotFoundError'
  }
}
/** The authenticator gave no PRF output: it cannot hold a key, so it cannot unlock Kith. */
export class PrfUnsupportedError extends ServiceError {
  constructor() {
    super('this passkey gave no PRF output (the WebAuthn prf extension): it cannot unlock Kith; try another authenticator or browser')
    this.name = 'PrfUnsupportedError'
  }
}
/** This device unlocks with the password and a passkey together: the password is missing. */
export class PasskeyPasswordRequiredError extends ServiceError {
  constructor() {
    super('this device needs the master password together with the passkey')
    this.name = 'PasskeyPasswordRequiredError'
  }
}
/** An encrypted export's file password is shorter than the minimum. */
export class ExportPasswordTooShortError extends ServiceError {
  constructor(readonly minLength: number) {
    super(
      `the export file's password needs at least ${minLength} characters (the file can be attacked offline); a few random words work well`
    )
    this.name = 'ExportPasswordTooShortError'
  }
}
