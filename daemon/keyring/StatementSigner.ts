/**
 * Signs roster statements (add, remove, sealing keys, key epochs, vault access) with the roster
 * key: an Ed25519 key derived from the device root key, so it exists only while the device is
 * unlocked. `deviceId` is the device's identity (transport) key, `publicKey` the roster key's
 * public half. pairing/RosterRecord's RecordSigner has the same shape.
 */
export interface StatementSigner {
  deviceId: string
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

/** A root key made before the keyring is (a joining device shows its roster key in the handshake). */
export interface PreparedRoot {
  rootKey: Uint8Array
  rosterPublicKey: Uint8Array
  sealingPublicKey: Uint8Array
}
