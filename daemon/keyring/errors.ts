/** Named errors of the keyring. */
export class KeyringError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'KeyringError'
  }
}
export class WrongPasswordError extends KeyringError {
  constructor() {
    super('wrong password')
    this.name = 'WrongPasswordError'
  }
}
export class LockedError extends KeyringError {
  constructor(message = 'the vault is locked') {
    super(message)
    this.name = 'LockedError'
  }
}
export class NotInitializedError extends KeyringError {
  constructor() {
    super('this device has no vault yet: run `kith init` or `kith pair join`')
    this.name = 'NotInitializedError'
  }
}
export class AlreadyInitializedError extends KeyringError {
  constructor() {
    super('this device already has a vault')
    this.name = 'AlreadyInitializedError'
  }
}
export class ThrottledError extends KeyringError {
  constructor(readonly retryAfterMs: number) {
    super(`too many failed unlock attempts: try again in ${Math.ceil(retryAfterMs / 1000)} s`)
    this.name = 'ThrottledError'
  }
}
export class NoVaultKeyError extends KeyringError {
  constructor(vaultId: string, epoch: number) {
    super(`this device holds no key for vault ${vaultId} epoch ${epoch}`)
    this.name = 'NoVaultKeyError'
  }
}

/** A stored grant addressed to this device does not open: reported, skipped, never fatal to unlock. */
export class BadGrantError extends KeyringError {
  constructor(
    readonly key: string,
    options?: { cause?: unknown }
  ) {
    super(`the vault key grant ${key} does not open (corrupt, or sealed to another key)`, options)
    this.name = 'BadGrantError'
  }
}

/** Key-derivation parameters below the floor: refused for a new slot, and for a stored one (tampering). */
export class WeakKdfParamsError extends KeyringError {
  constructor(params: { m: number; t: number; p: number }, floor: { m: number; t: number; p: number }) {
    super(
      `key-derivation parameters m=${params.m} KiB t=${params.t} p=${params.p} are below the floor (m=${floor.m} KiB, t=${floor.t}, p=${floor.p})`
    )
    this.name = 'WeakKdfParamsError'
  }
}

/** A vault's key epochs ran out (after tens of thousands of rotations by current devices). */
export class EpochsExhaustedError extends KeyringError {
  constructor(vaultId: string) {
    super(`vault ${vaultId.slice(0, 8)} cannot rotate its key any further; move its items to a new vault`)
    this.name = 'EpochsExhaustedError'
  }
}

export class InvalidRecoveryKeyError extends KeyringError {
  constructor() {
    super('a recovery key is 32 letters and digits (dashes and spaces are ignored)')
    this.name = 'InvalidRecoveryKeyError'
  }
}

/** An unlock method that does not exist (a removed passkey, a mistyped id). */
export class UnlockMethodNotFoundError extends KeyringError {
  constructor(id: string) {
    super(`no unlock method ${id} on this device`)
    this.name = 'UnlockMethodNotFoundError'
  }
}

/** A change that would leave no way to unlock this device, or a method that cannot be used that way. */
export class UnlockMethodError extends KeyringError {
  constructor(message: string) {
    super(message)
    this.name = 'UnlockMethodError'
  }
}

/** This device unlocks only with its password and a passkey together (the dashboard does both). */
export class PasskeyRequiredError extends KeyringError {
  constructor() {
    super('this device unlocks with its password and a passkey together: use the dashboard (`kith unlock --browser`)')
    this.name = 'PasskeyRequiredError'
  }
}

/** Unlock by password needs a current code from the authenticator app too (TotpGate), and none was given. */
export class SecondFactorRequiredError extends KeyringError {
  constructor() {
    super('this device also needs a current code from its authenticator app: give it with the password')
    this.name = 'SecondFactorRequiredError'
  }
}

/** The authenticator code is not a current one, or was used before (each code unlocks once). */
export class WrongSecondFactorError extends KeyringError {
  constructor() {
    super('wrong or already used authenticator code: wait for the next one')
    this.name = 'WrongSecondFactorError'
  }
}

/** A new authenticator's confirmation code did not match (nothing changed). */
export class TotpConfirmError extends KeyringError {
  constructor(message: string) {
    super(message)
    this.name = 'TotpConfirmError'
  }
}
