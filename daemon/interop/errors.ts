/** Named errors of the import/export layer; each names the format and, when known, where the file broke. */

/** A file could not be read as the named format. All importers throw this (or a subclass), never a bare Error. */
export class ImportError extends Error {
  /** the format the caller asked for, e.g. 'bitwarden-csv' */
  readonly format: string
  /** where it broke, e.g. "row 17", "entry 'Foo'", "byte 1234"; undefined when the whole file is at fault */
  readonly location: string | undefined

  constructor(format: string, message: string, options: { location?: string; cause?: unknown } = {}) {
    super(`${format} import failed${options.location !== undefined ? ` at ${options.location}` : ''}: ${message}`, { cause: options.cause })
    this.name = 'ImportError'
    this.format = format
    this.location = options.location
  }
}

/** The file is encrypted and the password given does not open it. */
export class WrongPasswordError extends ImportError {
  constructor(format: string, message = 'wrong password (or the file was modified)', options: { cause?: unknown } = {}) {
    super(format, message, options)
    this.name = 'WrongPasswordError'
  }
}

/** The file is encrypted and no password was given. */
export class PasswordRequiredError extends ImportError {
  constructor(format: string, message = 'this file is password-protected: a password is required') {
    super(format, message)
    this.name = 'PasswordRequiredError'
  }
}

/** A format name that no importer or exporter answers to. */
export class UnknownFormatError extends Error {
  readonly format: string
  constructor(format: string, known: readonly string[]) {
    super(`unknown format '${format}' (known: ${known.join(', ')})`)
    this.name = 'UnknownFormatError'
    this.format = format
  }
}

/** An export could not be written (missing password, parameters below the floor, …). */
export class ExportError extends Error {
  readonly format: string
  constructor(format: string, message: string, options: { cause?: unknown } = {}) {
    super(`${format} export failed: ${message}`, { cause: options.cause })
    this.name = 'ExportError'
    this.format = format
  }
}
