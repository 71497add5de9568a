/**
 * The roster's record of vault key epochs (pairing/Roster satisfies it): which epochs exist, with a
 * commitment to each key (epochCommitment.ts), and which one is current.
 */
export interface EpochLedger {
  epochCommitment: (vaultId: string, epoch: number) => Uint8Array | undefined
  currentEpoch: (vaultId: string) => number | undefined
}

/** A vault key epoch this device made, for a roster statement. */
export interface MintedEpoch {
  vaultId: string
  epoch: number
  commitment: Uint8Array
}
