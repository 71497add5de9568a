/** Named errors of pairing and the device roster (api/errors.ts maps them to HTTP statuses). */
export class InvitationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvitationError'
  }
}

/** The pairing exchange failed after the invitation was accepted (unreachable inviter, broken protocol). */
export class PairingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PairingError'
  }
}

export class DeviceNotFoundError extends Error {
  constructor(id: string) {
    super(`no device ${JSON.stringify(id)} on the roster`)
    this.name = 'DeviceNotFoundError'
  }
}

/** A request about devices that cannot be honoured as asked (e.g. removing this device itself). */
export class DeviceRequestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DeviceRequestError'
  }
}

/** A roster change that cannot be made (signed by another device, or it did not take effect). */
export class RosterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RosterError'
  }
}

/** No joiner waiting for approval matches the id given (it left, was decided, or its invitation expired). */
export class PendingJoinerNotFoundError extends Error {
  constructor(id: string) {
    super(`no device ${JSON.stringify(id)} is waiting for approval`)
    this.name = 'PendingJoinerNotFoundError'
  }
}

/** A person on the inviting device refused this device; the invitation is used up. */
export class JoinDeniedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JoinDeniedError'
  }
}
