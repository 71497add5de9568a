/**
 * A device that has the invitation link and speaks the pairing protocol honestly (it proves the
 * secret): what someone who saw the link can do without a person's approval.
 */
import {
  decodePair,
  encodePair,
  nonceCommitment,
  PAIR_VERSION,
  PairType,
  proofMac,
  transcript,
  type PairMessage
} from '../../daemon/pairing/messages.js'
import { invitationId, proofKey, type Invitation } from '../../daemon/pairing/Invitation.js'
import { verificationWords } from '../../daemon/pairing/verificationWords.js'
import { generateBoxKeyPair } from '../../daemon/crypto/box.js'
import { randomBytes } from '../../daemon/crypto/random.js'

export interface Frames {
  write: (frame: Uint8Array) => Promise<void>
  /** the next frame (throws when the stream ended) */
  read: () => Promise<Uint8Array>
}

/** Proves the invitation's secret as `joiner`; answers the words it would show and the inviter's reply. */
export async function proveAsLinkHolder(
  frames: Frames,
  inv: Invitation,
  joiner: string,
  name = 'link holder'
): Promise<{ words: string[]; reply: PairMessage; sent: Uint8Array[] }> {
  const sent: Uint8Array[] = []
  const send = async (m: PairMessage): Promise<void> => {
    const f = encodePair(m)
    sent.push(f)
    await frames.write(f)
  }
  const id = invitationId(inv.secret)
  const nonce = randomBytes(32)
  const ephemeral = generateBoxKeyPair()
  const rosterKey = randomBytes(32)
  await send({
    type: PairType.Hello,
    version: PAIR_VERSION,
    invitationId: id,
    commitment: nonceCommitment(nonce),
    ephemeralPublic: ephemeral.publicKey,
    rosterKey,
    name
  })
  const challenge = decodePair(await frames.read())
  if (challenge.type !== PairType.Challenge) throw new Error(`expected CHALLENGE, got ${challenge.type}`)
  const t = transcript({
    invitationId: id,
    inviter: inv.inviter,
    joiner,
    joinerNonce: nonce,
    inviterNonce: challenge.nonce,
    joinerEphemeral: ephemeral.publicKey,
    inviterEphemeral: challenge.ephemeralPublic,
    rosterKey,
    name
  })
  await send({ type: PairType.Proof, nonce, mac: proofMac(proofKey(inv.secret), 'joiner', t) })
  return { words: verificationWords(t), reply: decodePair(await frames.read()), sent }
}
