/**
 * What a caller presents to open the device root key: one variant per kind of unlock slot
 * (UnlockSlot.ts). Only the password exists today; passkey (slot kind 2), password and passkey
 * (kind 3) and a recovery key will join the union, and Keyring dispatches on `kind`.
 */
export type UnlockRequest = { kind: 'password'; password: string }
