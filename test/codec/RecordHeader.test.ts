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
import type { SignedHead } from '../../daemon/codec/SignedHead.js'

const id16 = (): string => toHex(randomBytes(16))
const id32 = (): string => toHex(randomBytes(32))
const envelope = {
  vaultId: id16(),
  epoch: 0x10203,
  author: id32(),
  seq: 42,
  prevHash: randomBytes(32),
  nonce: randomBytes(24)
} satisfies EnvelopeHeader
const head = (seq: number): SignedHead => ({
  author: id32(),
  seq,
  prevHash: randomBytes(32),
  hash: randomBytes(32),
  signature: randomBytes(64)
})
const heads = [head(3), head(300)].sort((a, b) => (a.author < b.author ? -1 : 1))
const snapshot = {
  vaultId: id16(),
  epoch: 7,
  author: id32(),
  vector: new Map(heads.map(h => [h.author, h.seq])),
  heads,
  nonce: randomBytes(24)
} satisfies SnapshotHeader
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
    const sealed = sealEnvelope(
      { vaultId: envelope.vaultId, epoch: 3, seq: 9, prevHash: envelope.prevHash },
      key,
      new Uint8Array([1, 2, 3]),
      signer
    )
    const r = new BinaryReader(sealed)
    const h = readEnvelopeHeader(r)
    expect(r.position).toBe(ENVELOPE_HEADER_BYTES)
    expect(h).toMatchObject({ vaultId: envelope.vaultId, epoch: 3, author: identity.deviceId, seq: 9, prevHash: envelope.prevHash })
    expect(h.nonce).toEqual(decodeEnvelope(sealed).nonce)
    const snap = sealSnapshot(snapshot.vaultId, 2, snapshot.heads, key, new Uint8Array([4]), signer)
    expect(snapshotHeaderOf(snap)).toMatchObject({
      vaultId: snapshot.vaultId,
      epoch: 2,
      author: identity.deviceId,
      vector: snapshot.vector,
      heads: snapshot.heads
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
    const v3 = Uint8Array.from(env)
    v3[0] = 3
    expect(() => envelopeHeaderOf(v3)).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError', message: expect.stringMatching(/version 3/) })
    )
    const huge = Uint8Array.from(snap)
    new DataView(huge.buffer).setUint32(1 + 1 + 16 + 4 + 32, MAX_VECTOR_AUTHORS + 1)
    expect(() => snapshotHeaderOf(huge)).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError', message: expect.stringMatching(/more than/) })
    )
  })

  it('still reads format 1 (before the chain): an envelope without prevHash, a snapshot with a plain vector', () => {
    const v1env = new BinaryWriter()
      .u8(1)
      .u8(1)
      .hex(envelope.vaultId, 16)
      .u32(5)
      .hex(envelope.author, 32)
      .u32(7)
      .raw(envelope.nonce)
      .finish()
    expect(envelopeHeaderOf(v1env)).toEqual({ ...envelope, epoch: 5, seq: 7, prevHash: undefined })
    const v1snap = new BinaryWriter()
      .u8(1)
      .u8(2)
      .hex(snapshot.vaultId, 16)
      .u32(1)
      .hex(snapshot.author, 32)
      .u32(1)
      .hex(envelope.author, 32)
      .u32(9)
      .raw(snapshot.nonce)
      .finish()
    expect(snapshotHeaderOf(v1snap)).toEqual({
      vaultId: snapshot.vaultId,
      epoch: 1,
      author: snapshot.author,
      vector: new Map([[envelope.author, 9]]),
      heads: undefined,
      nonce: snapshot.nonce
    })
  })

  it('refuses to write an id or nonce of the wrong length', () => {
    expect(() => bytesOf(w => writeEnvelopeHeader(w, { ...envelope, vaultId: 'abc' }))).toThrow(RangeError)
    expect(() => bytesOf(w => writeEnvelopeHeader(w, { ...envelope, nonce: new Uint8Array(12) }))).toThrow(
      expect.objectContaining({ name: 'RecordHeaderError' })
    )
  })
})
