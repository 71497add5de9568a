/**
 * The verification words come from the whole handshake: an honest pair derives the same four words,
 * a relay in the middle with its own device id and keys leaves each side with different ones, and
 * every part of the transcript changes them. The pairing codec stays strict.
 */
import { describe, expect, it } from 'vitest'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { decodePair, encodePair, nonceCommitment, PairType, transcript, type TranscriptParts } from '../../daemon/pairing/messages.js'
import { verificationWords, WORD_COUNT } from '../../daemon/pairing/verificationWords.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { generateBoxKeyPair } from '../../daemon/crypto/box.js'
import { randomBytes } from '../../daemon/crypto/random.js'

function side() {
  return {
    id: DeviceIdentity.generate().deviceId,
    nonce: randomBytes(32),
    ephemeral: generateBoxKeyPair().publicKey,
    rosterKey: randomBytes(32)
  }
}

function parts(
  inviter: ReturnType<typeof side>,
  joiner: ReturnType<typeof side>,
  invitationId: Uint8Array,
  name = 'laptop'
): TranscriptParts {
  return {
    invitationId,
    inviter: inviter.id,
    joiner: joiner.id,
    joinerNonce: joiner.nonce,
    inviterNonce: inviter.nonce,
    joinerEphemeral: joiner.ephemeral,
    rosterKey: joiner.rosterKey,
    inviterEphemeral: inviter.ephemeral,
    name
  }
}

describe('verification words', () => {
  it('are four BIP-39 words, the same on both sides of an honest pair', () => {
    const [i, j, id] = [side(), side(), randomBytes(16)]
    // each side builds the transcript from what it sent and what it received
    const inviterView = parts(i, j, id)
    const joinerView: TranscriptParts = {
      ...parts(i, j, id),
      joinerNonce: Uint8Array.from(j.nonce),
      inviterEphemeral: Uint8Array.from(i.ephemeral)
    }
    const words = verificationWords(transcript(inviterView))
    expect(words).toHaveLength(WORD_COUNT)
    for (const w of words) expect(wordlist).toContain(w)
    expect(verificationWords(transcript(joinerView))).toEqual(words)
  })

  it('differ on the two sides when a man in the middle relays with its own id and keys', () => {
    const [i, j, m, id] = [side(), side(), side(), randomBytes(16)]
    // the joiner talks to M believing it is the inviter (a swapped link); M talks to the inviter as a joiner
    const joinerSees = parts(m, j, id)
    const inviterSees = parts(i, m, id)
    expect(verificationWords(transcript(joinerSees))).not.toEqual(verificationWords(transcript(inviterSees)))
    // even relaying the honest nonces and keys, its own device id on either side changes the words
    const relayed = parts(i, j, id)
    const honest = verificationWords(transcript(relayed))
    expect(verificationWords(transcript({ ...relayed, joiner: m.id }))).not.toEqual(honest)
    expect(verificationWords(transcript({ ...relayed, inviter: m.id }))).not.toEqual(honest)
  })

  it('depend on every part of the transcript', () => {
    const base = parts(side(), side(), randomBytes(16))
    const words = verificationWords(transcript(base))
    const changes: Array<Partial<TranscriptParts>> = [
      { invitationId: randomBytes(16) },
      { joinerNonce: randomBytes(32) },
      { inviterNonce: randomBytes(32) },
      { joinerEphemeral: generateBoxKeyPair().publicKey },
      { inviterEphemeral: generateBoxKeyPair().publicKey },
      { name: 'phone' }
    ]
    for (const c of changes) expect(verificationWords(transcript({ ...base, ...c }))).not.toEqual(words)
  })
})

describe('the pairing codec', () => {
  it('round-trips the messages of the approval exchange and refuses anything else', () => {
    const hello = {
      type: PairType.Hello,
      version: 2,
      invitationId: randomBytes(16),
      commitment: nonceCommitment(randomBytes(32)),
      ephemeralPublic: randomBytes(32),
      rosterKey: randomBytes(32),
      name: 'laptop'
    } as const
    expect(decodePair(encodePair(hello))).toEqual(hello)
    const challenge = { type: PairType.Challenge, nonce: randomBytes(32), ephemeralPublic: randomBytes(32) } as const
    expect(decodePair(encodePair(challenge))).toEqual(challenge)
    const proof = { type: PairType.Proof, nonce: randomBytes(32), mac: randomBytes(32) } as const
    expect(decodePair(encodePair(proof))).toEqual(proof)
    expect(decodePair(encodePair({ type: PairType.Pending, mac: randomBytes(32) })).type).toBe(PairType.Pending)
    expect(decodePair(Uint8Array.of(PairType.Waiting))).toEqual({ type: PairType.Waiting })
    // a version-1 CHALLENGE (nonce only), a trailing byte, an unknown type and an unknown refusal code
    expect(() => decodePair(Uint8Array.of(PairType.Challenge, ...randomBytes(32)))).toThrow(/malformed pairing message/)
    expect(() => decodePair(Uint8Array.of(PairType.Waiting, 0))).toThrow(/malformed/)
    expect(() => decodePair(Uint8Array.of(0x29))).toThrow(/unknown pairing message type/)
    expect(() => decodePair(Uint8Array.of(PairType.Refused, 99, 0, 0, 0, 0))).toThrow(/unknown refusal code/)
  })

  it('the commitment binds the joiner to its nonce', () => {
    const n = randomBytes(32)
    expect(nonceCommitment(n)).toEqual(nonceCommitment(Uint8Array.from(n)))
    expect(nonceCommitment(randomBytes(32))).not.toEqual(nonceCommitment(n))
  })
})
