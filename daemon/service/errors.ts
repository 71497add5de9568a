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

/** A file is over the attachment size limit; nothing of it is kept. */
export class AttachmentTooLargeError extends ServiceError {
  constructor(readonly limitBytes: number) {
    super(
      `the file is larger than the limit of ${Math.round(limitBytes / (1024 * 1024))} MB per file (kith config set attachmentLimitMb N raises it)`
    )
    this.name = 'AttachmentTooLargeError'
  }
}

/** The item has no file of that id or name. */
export class AttachmentNotFoundError extends ServiceError {
  constructor(what: string) {
    super(`the item has no file ${JSON.stringify(what)}`)
    this.name = 'AttachmentNotFoundError'
  }
}

/** The item already has a file of that name. */
export class AttachmentExistsError extends ServiceError {
  constructor(name: string) {
    super(`the item already has a file named ${JSON.stringify(name)}: remove it first, or give another name`)
    this.name = 'AttachmentExistsError'
  }
}

/** This device does not hold the file yet and no connected device has it. */
export class AttachmentUnavailableError extends ServiceError {
  constructor(why: 'offline' | 'broken') {
    super(
      why === 'offline'
        ? 'this device does not have the file yet, and no paired device that has it is connected; try again when one is online'
        : 'this device does not have the whole file yet, and the paired devices connected now could not send the rest; try again later'
    )
    this.name = 'AttachmentUnavailableError'
  }
}

/** The file's bytes do not match what its item records (a damaged store or a dishonest device). */
export class AttachmentCorruptError extends ServiceError {
  constructor(reason: string) {
    super(`the file is damaged: ${reason}`)
    this.name = 'AttachmentCorruptError'
  }
}
