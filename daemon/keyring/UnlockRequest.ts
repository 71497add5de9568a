/**
 * What a caller presents to open the device root key: one variant per kind of unlock method
 * (UnlockSlot.ts, UnlockMethods.ts); Keyring finds the slot and dispatches on `kind`. A passkey's
 * `prfOutput` is the 32 bytes its authenticator's PRF gave for the method's salt, once the
 * WebAuthn assertion was verified. `totp` is the current code of the authenticator app when the
 * device has one (keyring/TotpGate.ts); passkey-only and recovery-key requests need none.
 */
export type UnlockRequest =
  | { kind: 'password'; password: string; totp?: string }
  | { kind: 'recovery-key'; recoveryKey: string }
  | { kind: 'passkey'; methodId: string; prfOutput: Uint8Array }
  | { kind: 'password+passkey'; methodId: string; password: string; prfOutput: Uint8Array; totp?: string }
