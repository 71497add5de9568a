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
