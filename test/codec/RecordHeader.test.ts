import { describe, it, expect } from 'vitest'
import { BinaryWriter } from '../../daemon/codec/BinaryWriter.js'
import { BinaryReader } from '../../daemon/codec/BinaryReader.js'
import {
  ENVELOPE_HEADER_BYTES,
  envelopeHeaderOf,
  readEnvelopeHeader,
  MAX_VECTOR_AUTHORS,
  rosterHeaderOf,
  snapshotHeaderOf,
  writeEnvelopeHeader,
  writeRosterHeader,
  writeSnapshotHeader,
  type EnvelopeHeader,
  type RosterHeader,
  type SnapshotHeader
} from '../../daemon/codec/RecordHeader.js'
import { sealEnvelope, decodeEnvelope } from '../../daemon/replica/Envelope.js'
import { sealSnapshot } from '../../daemon/replica/Snapshot.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { randomBytes } from '../../daemon/crypto/random.js'
import { toHex } from '../../daemon/crypto/bytes.js'

const id16 = (): string => toHex(randomBytes(16))
const id32 = (): string => toHex(randomBytes(32))
const envelope: EnvelopeHeader = { vaultId: id16(), epoch: 0x10203, author: id32(), seq: 42, nonce: randomBytes(24) }
const snapshot: SnapshotHeader = {
  vaultId: id16(),
  epoch: 7,
  author: id32(),
  vector: new Map([
    [id32(), 3],
    [id32(), 300]
  ]),
  nonce: randomBytes(24)
}
const roster: RosterHeader = { author: id32(), seq: 5, time: 1_764_000_000_123 }
const bytesOf = (write: (w: BinaryWriter) => BinaryWriter): Uint8Array => write(new BinaryWriter()).finish()

describe('RecordHeader', () => {
  it('round-trips the envelope, snapshot and roster headers', () => {
    const env = bytesOf(w => writeEnvelopeHeader(w, envelope))
    expect(env).toHaveLength(ENVELOPE_HEADER_BYTES)
    expect(envelopeHeaderOf(env)).toEqual(envelope)
    expect(snapshotHeaderOf(bytesOf(w => writeSnapshotHeader(w, snapshot)))).toEqual(snapshot)
    expect(rosterHeaderOf(bytesOf(w => writeRosterHeader(w, roster)))).toEqual(roster)
  })

  it('reads the header of what replica/ seals, and stops at its end', () => {
    const identity = DeviceIdentity.generate()
    const signer = { publicKey: identity.publicKey, sign: (m: Uint8Array) => identity.sign(m) }
    const key = randomBytes(32)
    const sealed = sealEnvelope({ vaultId: envelope.vaultId, epoch: 3, seq: 9 }, key, new Uint8Array([1, 2, 3]), signer)
    const r = new BinaryReader(sealed)
    const h = readEnvelopeHeader(r)
    expect(r.position).toBe(ENVELOPE_HEADER_BYTES)
    expect(h).toMatchObject({ vaultId: envelope.vaultId, epoch: 3, author: identity.deviceId, seq: 9 })
    expect(h.nonce).toEqual(decodeEnvelope(sealed).nonce)
    const snap = sealSnapshot(snapshot.vaultId, 2, snapshot.vector, key, new Uint8Array([4]), signer)
    expect(snapshotHeaderOf(snap)).toMatchObject({
      vaultId: snapshot.vaultId,
      epoch: 2,
      author: identity.deviceId,
      vector: snapshot.vector
    })
  })

  it('rejects a truncated header with TruncatedHeaderError, at every length short of the whole', () => {
    const cases: Array<[Uint8Array, (b: Uint8Array) => unknown]> = [
      [bytesOf(w => writeEnvelopeHeader(w, envelope)), envelopeHeaderOf],
      [bytesOf(w => writeSnapshotHeader(w, snapshot)), snapshotHeaderOf],
      [bytesOf(w => writeRosterHeader(w, roster)), rosterHeaderOf]
    ]
    for (const [whole, read] of cases) {
      for (let n = 0; n < whole.length; n++) {
        expect(() => read(whole.subarray(0, n))).toThrow(expect.objectContaining({ name: 'TruncatedHeaderError' }))
      }
    }
  })

  it('rejects another kind, an unknown version and an implausible vector with RecordHeaderError', () => {
    const env = bytesOf(w => writeEnvelopeHeader(w, envelope))
    const snap = bytesOf(w => writeSnapshotHeader(w, snapshot))
    expect(() => envelopeHeaderOf(snap)).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError', message: expect.stringMatching(/expected a envelope record, got kind 2/) })
    )
    expect(() => snapshotHeaderOf(env)).toThrow(expect.objectContaining({ name: 'RecordHeaderError' }))
    expect(() => rosterHeaderOf(env)).toThrow(expect.objectContaining({ name: 'RecordHeaderError' }))
    const v2 = Uint8Array.from(env)
    v2[0] = 2
    expect(() => envelopeHeaderOf(v2)).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError', message: expect.stringMatching(/version 2/) })
    )
    const huge = Uint8Array.from(snap)
    new DataView(huge.buffer).setUint32(1 + 1 + 16 + 4 + 32, MAX_VECTOR_AUTHORS + 1)
    expect(() => snapshotHeaderOf(huge)).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError', message: expect.stringMatching(/more than/) })
    )
  })

  it('refuses to write an id or nonce of the wrong length', () => {
    expect(() => bytesOf(w => writeEnvelopeHeader(w, { ...envelope, vaultId: 'abc' }))).toThrow(RangeError)
    expect(() => bytesOf(w => writeEnvelopeHeader(w, { ...envelope, nonce: new Uint8Array(12) }))).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError' })
    )
  })
})
