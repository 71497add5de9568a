/** The live form of an envelope: without the prevHash the receiver holds (and the author, when it sends its own). */
import { describe, it, expect } from 'vitest'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { decodeEnvelope, sealEnvelope, verifyEnvelope } from '../../daemon/replica/Envelope.js'
import { restoreEnvelope, stripEnvelope, strippedFields } from '../../daemon/sync/nextEnvelope.js'
import { decodeMessage, encodeMessage, MsgType, ProtocolError } from '../../daemon/sync/messages.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

const id = DeviceIdentity.generate()
const signer = { deviceId: id.deviceId, publicKey: id.publicKey, sign: (m: Uint8Array) => id.sign(m) }
const vaultId = toHex(randomBytes(16))
const prevHash = randomBytes(32)
const full = sealEnvelope({ vaultId, epoch: 7, seq: 42, prevHash }, randomBytes(32), randomBytes(100), signer)

describe('NEXT envelopes', () => {
  it('strip 32 bytes (64 when the sender is the author) and restore to the same signed bytes', () => {
    for (const omit of [false, true]) {
      const stripped = stripEnvelope(full, omit) as Uint8Array
      expect(full.length - stripped.length).toBe(omit ? 64 : 32)
      expect(strippedFields(stripped, omit)).toEqual({ vaultId, author: omit ? undefined : id.deviceId, seq: 42 })
      const restored = restoreEnvelope(stripped, omit, id.deviceId, prevHash)
      expect(restored).toEqual(full)
      expect(verifyEnvelope(decodeEnvelope(restored))).toBe(true)
      const m = decodeMessage(encodeMessage({ type: MsgType.Next, authorOmitted: omit, stripped }))
      expect(m).toEqual({ type: MsgType.Next, authorOmitted: omit, stripped })
    }
  })

  it('a wrong tip or author does not restore a valid envelope', () => {
    const stripped = stripEnvelope(full, true) as Uint8Array
    expect(verifyEnvelope(decodeEnvelope(restoreEnvelope(stripped, true, id.deviceId, randomBytes(32))))).toBe(false)
    expect(verifyEnvelope(decodeEnvelope(restoreEnvelope(stripped, true, DeviceIdentity.generate().deviceId, prevHash)))).toBe(false)
  })

  it('garbage is refused by name, never misread', () => {
    expect(strippedFields(Uint8Array.of(2, 1, 3), true)).toBeUndefined()
    expect(stripEnvelope(Uint8Array.of(1, 1, 0), true)).toBeUndefined()
    expect(() => decodeMessage(Uint8Array.of(MsgType.Next, 7, 0, 0, 0, 0))).toThrow(ProtocolError)
  })
})
