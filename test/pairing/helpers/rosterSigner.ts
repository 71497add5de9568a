/** Test devices for roster unit tests: an identity (transport) key and a separate roster key, as on a real device. */
import { DeviceIdentity } from '../../../daemon/keyring/DeviceIdentity.js'
import { generateSigningKeyPair, sign } from '../../../daemon/crypto/signing.js'
import type { RecordSigner } from '../../../daemon/pairing/RosterRecord.js'

export interface TestDevice {
  identity: DeviceIdentity
  id: string
  /** signs with the roster key (what an unlocked device has) */
  roster: RecordSigner
  /** signs with the identity key only (what a copied data directory without the password has) */
  transportOnly: RecordSigner
}

export function testDevice(): TestDevice {
  const identity = DeviceIdentity.generate()
  const keys = generateSigningKeyPair()
  return {
    identity,
    id: identity.deviceId,
    roster: { deviceId: identity.deviceId, publicKey: keys.publicKey, sign: m => sign(keys.seed, m) },
    transportOnly: { deviceId: identity.deviceId, publicKey: identity.publicKey, sign: m => identity.sign(m) }
  }
}
