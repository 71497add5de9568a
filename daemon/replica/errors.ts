/** Named errors of the replica layer. */
export class ReplicaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ReplicaError'
  }
}

/** A stored or received record failed to decode, verify or decrypt. */
export class CorruptRecordError extends ReplicaError {
  constructor(
    readonly key: string,
    reason: string,
    options?: { cause?: unknown }
  ) {
    super(`corrupt record ${key}: ${reason}`, options)
    this.name = 'CorruptRecordError'
  }
}

/** A received envelope is not acceptable: bad signature, unknown author, replayed or skipped seq. */
export class RejectedEnvelopeError extends ReplicaError {
  constructor(readonly reason: string) {
    super(`rejected envelope: ${reason}`)
    this.name = 'RejectedEnvelopeError'
  }
}

/**
 * A well-formed, well-signed snapshot this device keeps out: it covers another author further than
 * that author signed, a removed device past its bound, or it is in the format from before the chain.
 * Nothing of it is stored; the session that brought it goes on.
 */
export class RefusedSnapshotError extends ReplicaError {
  constructor(readonly reason: string) {
    super(`refused snapshot: ${reason}`)
    this.name = 'RefusedSnapshotError'
  }
}

/** A backup peer holds no more of this vault: its quota is full (a snapshot from a device frees room). */
export class QuotaExceededError extends RejectedEnvelopeError {
  constructor(readonly limitBytes: number) {
    super(
      `this backup peer's quota for the vault is full (${Math.round(limitBytes / (1024 * 1024))} MiB); a snapshot from a device frees room`
    )
    this.name = 'QuotaExceededError'
  }
}

/** A blob (an attachment's sealed chunks) or a request about one is not acceptable. */
export class BlobError extends ReplicaError {
  constructor(message: string) {
    super(message)
    this.name = 'BlobError'
  }
}
