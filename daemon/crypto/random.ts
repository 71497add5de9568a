/** Cryptographically secure randomness (node:crypto's CSPRNG). */
import { randomBytes as nodeRandomBytes, randomInt } from 'node:crypto'

export function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n))
}

/** A uniform integer in [0, max) without modulo bias. */
export function randomIndex(max: number): number {
  return randomInt(0, max)
}
