/** What a hostile paired device can make with its own identity and the vault key it was given. */
import * as Y from 'yjs'
import { sealSnapshot } from '../../../daemon/replica/Snapshot.js'
import { sealEnvelope } from '../../../daemon/replica/Envelope.js'
import { VaultDoc } from '../../../daemon/vault/VaultDoc.js'
import type { SyncDevice } from './syncDevice.js'
import { headStatement, NO_PREVIOUS, type SignedHead } from '../../../daemon/codec/SignedHead.js'
import { randomBytes } from '../../../daemon/crypto/random.js'

/** A Yjs update that adds an item titled `title` if anyone applies it. */
export function itemUpdate(id: string, title: string): Uint8Array {
  const doc = new VaultDoc(new Y.Doc())
  let update: Uint8Array = new Uint8Array()
  doc.doc.on('update', (u: Uint8Array) => {
    update = u
  })
  doc.createWithId(id, { title })
  return update
}

const signerOf = (d: SyncDevice) => ({ publicKey: d.identity.publicKey, sign: (b: Uint8Array) => d.identity.sign(b) })
const keyOf = (d: SyncDevice, vaultId: string): { epoch: number; key: Uint8Array } => {
  const epoch = d.device.keyring.currentEpoch(vaultId)
  return { epoch, key: d.device.keyring.vaultKey(vaultId, epoch) }
}

/** `by`'s genuine head in its own replica (undefined before its first envelope). */
const ownTip = (by: SyncDevice, vaultId: string): SignedHead | undefined =>
  by.device.replicas
    .get(vaultId)
    ?.heads()
    .find(h => h.author === by.id)

/**
 * A snapshot by `by` whose vector claims `claims`, holding `state`. `by` can sign only its own
 * heads: its own entry is its genuine tip where the seq matches, every other is a head `by` signs
 * in the other author's name (what a hostile member can make).
 */
export function forgeSnapshot(by: SyncDevice, vaultId: string, claims: Map<string, number>, state: Uint8Array): Uint8Array {
  const { epoch, key } = keyOf(by, vaultId)
  const tip = ownTip(by, vaultId)
  const heads = [...claims].map(([author, seq]): SignedHead => {
    if (author === by.id && tip?.seq === seq) return tip
    const h = { author, seq, prevHash: NO_PREVIOUS, hash: randomBytes(32) }
    return { ...h, signature: by.identity.sign(headStatement(vaultId, h)) }
  })
  return sealSnapshot(vaultId, epoch, heads, key, state, signerOf(by))
}

/** An envelope by `by` at `seq` holding `update`, chained to `prevHash` (by default its genuine tip's). */
export function forgeEnvelope(by: SyncDevice, vaultId: string, seq: number, update: Uint8Array, prevHash?: Uint8Array): Uint8Array {
  const { epoch, key } = keyOf(by, vaultId)
  return sealEnvelope({ vaultId, epoch, seq, prevHash: prevHash ?? ownTip(by, vaultId)?.hash ?? NO_PREVIOUS }, key, update, signerOf(by))
}
