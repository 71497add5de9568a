/**
 * What a caller presents to open the device root key: one variant per kind of unlock method
 * (UnlockSlot.ts, UnlockMethods.ts); Keyring finds the slot and dispatches on `kind`. A passkey's
 * `prfOutput` is the 32 bytes its authenticator's PRF gave for the method's salt, once the
 * WebAuthn assertion was verified.
 */
export type UnlockRequest =
  | { kind: 'password'; password: string }
  | { kind: 'recovery-key'; recoveryKey: string }
  | { kind: 'passkey'; methodId: string; prfOutput: Uint8Array }
  | { kind: 'password+passkey'; methodId: string; password: string; prfOutput: Uint8Array }
