/**
 * A cheap key-derivation profile for unit tests that are not about Argon2: Argon2id at m = 64 KiB,
 * t = 1, p = 1, about a thousand times cheaper than the floor. A Keyring only uses it when a test
 * hands it over explicitly; a daemon always derives with argon2idKdf (keyring/Kdf.ts).
 */
import { argon2id } from '../../daemon/crypto/kdf.js'
import type { Kdf } from '../../daemon/keyring/Kdf.js'

export const testKdf: Kdf = {
  floor: { m: 64, t: 1, p: 1 },
  derive: async (password, salt, params) => await argon2id(password, salt, params, { allowWeak: true })
}
