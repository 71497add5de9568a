/** The HTTP edge's one error type and the single table mapping layer errors to status codes. */
import { HTTPException } from 'hono/http-exception'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** error class name → [status, code]; anything not listed is a 500 whose message is not leaked. */
const STATUS_BY_ERROR: Record<string, [number, string]> = {
  WrongPasswordError: [401, 'wrong_password'],
  ThrottledError: [429, 'too_many_attempts'],
  LockedError: [423, 'locked'],
  NotInitializedError: [409, 'not_initialized'],
  AlreadyInitializedError: [409, 'already_initialized'],
  ItemNotFoundError: [404, 'not_found'],
  VersionNotFoundError: [404, 'version_not_found'],
  VaultNotFoundError: [404, 'vault_not_found'],
  VaultExistsError: [409, 'vault_exists'],
  InvalidItemError: [400, 'invalid_request'],
  InvalidRequestError: [400, 'invalid_request'],
  DeviceNotFoundError: [404, 'device_not_found'],
  InvitationError: [400, 'invitation_refused'],
  PairingError: [502, 'pairing_failed'],
  DeviceRequestError: [400, 'invalid_request'],
  PendingJoinerNotFoundError: [404, 'pending_not_found'],
  JoinDeniedError: [403, 'join_denied'],
  ImportError: [400, 'import_failed'],
  UnknownFormatError: [400, 'unknown_format'],
  PasswordRequiredError: [400, 'password_required'],
  NoVaultKeyError: [403, 'no_vault_key'],
  ExportError: [400, 'export_failed'],
  ExportPasswordTooShortError: [400, 'export_password_too_short'],
  EpochsExhaustedError: [507, 'key_epochs_exhausted'],
  RosterError: [409, 'roster_conflict'],
  BadGrantError: [409, 'bad_vault_key'],
  InvalidRecoveryKeyError: [400, 'invalid_recovery_key'],
  UnlockMethodNotFoundError: [404, 'unlock_method_not_found'],
  UnlockMethodError: [409, 'unlock_method_refused'],
  PasskeyRequiredError: [401, 'passkey_required'],
  ChallengeError: [400, 'challenge_refused'],
  PasskeyRefusedError: [401, 'passkey_refused'],
  PasskeyNotFoundError: [404, 'passkey_not_found'],
  PrfUnsupportedError: [400, 'prf_unsupported'],
  PasskeyPasswordRequiredError: [400, 'password_required'],
  SecondFactorRequiredError: [401, 'second_factor_required'],
  WrongSecondFactorError: [401, 'wrong_second_factor'],
  TotpConfirmError: [400, 'wrong_code'],
  AttachmentTooLargeError: [413, 'attachment_too_large'],
  AttachmentNotFoundError: [404, 'attachment_not_found'],
  AttachmentExistsError: [409, 'attachment_exists'],
  AttachmentUnavailableError: [503, 'attachment_unavailable'],
  AttachmentCorruptError: [502, 'attachment_corrupt']
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err
  // the JSON validator's answer to a body that does not parse
  if (err instanceof HTTPException && err.status === 400) return new HttpError(400, 'invalid_json', 'the request body is not valid JSON')
  const e = err as Error & { retryAfterMs?: number }
  const mapped = STATUS_BY_ERROR[e?.name]
  if (mapped === undefined) return new HttpError(500, 'internal_error', 'internal error')
  const headers: Record<string, string> = {}
  if (e.retryAfterMs !== undefined) headers['Retry-After'] = String(Math.ceil(e.retryAfterMs / 1000))
  return new HttpError(mapped[0], mapped[1], e.message, headers)
}
