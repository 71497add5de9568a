/** Constant-time comparison for secrets (tokens, MACs): no early exit on the first differing byte. */
import { timingSafeEqual, createHash } from 'node:crypto'

/** True when a and b are equal; runs in time independent of where they differ (and of their lengths). */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  // Hash both sides first so inputs of different lengths still take the same path.
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}
