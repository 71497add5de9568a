/** What `kith totp` says on stderr beside the code: how long the code stays valid (stdout keeps only the code, for scripts). */
import { countOf } from './countOf.js'

export function totpNote(remaining: number, period: number): string {
  return `kith: valid for ${countOf(remaining, 'more second')} (codes change every ${countOf(period, 'second')})`
}
