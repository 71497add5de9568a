/**
 * A grant: one vault key of one epoch sealed to one device's X25519 sealing key. The associated
 * data binds the box to its (vault, epoch, device), so a box cannot be replayed under another name.
 */
import { sealBox } from '../crypto/box.js'
import { concatBytes, fromHex, utf8 } from '../crypto/bytes.js'

export interface Grant {
  vaultId: string
  epoch: number
  deviceId: string
  box: Uint8Array
}

/** vault id → device id → epochs held: the grant index, readable while locked. */
export type GrantIndex = Map<string, Map<string, Set<number>>>

export const grantAad = (vaultId: string, epoch: number, deviceId: string): Uint8Array =>
  concatBytes(utf8(`kith-grant/${vaultId}/${epoch}/`), fromHex(deviceId))

/** Seals `vaultKey` to a device's public sealing key (used for this device and for paired ones). */
export function sealGrant(vaultId: string, epoch: number, deviceId: string, sealingPublicKey: Uint8Array, vaultKey: Uint8Array): Grant {
  return { vaultId, epoch, deviceId, box: sealBox(sealingPublicKey, vaultKey, grantAad(vaultId, epoch, deviceId)) }
}
