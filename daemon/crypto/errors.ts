/** Named errors of the crypto layer. */
export class CryptoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CryptoError'
  }
}

/** An AEAD tag, a signature or a sealed box did not verify: wrong key, or the bytes were changed. */
export class DecryptionError extends CryptoError {
  constructor(message = 'decryption failed: wrong key or corrupted data', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DecryptionError'
  }
}

/** A stored format carries a version or shape this build does not understand. */
export class FormatError extends CryptoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FormatError'
  }
}
