/**
 * How a caller asks to unlock: one union, so new ways in (passkey, second factor, recovery key)
 * join it without changing the callers that pass a request through.
 */
export type UnlockRequest = { kind: 'password', password: string }
