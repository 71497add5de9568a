/** `kith totp` says how long its code stays valid (newcomer report F31), in English for one second too. */
import { describe, expect, it } from 'vitest'
import { totpNote } from '../../daemon/cli/totpNote.js'

describe('totpNote', () => {
  it('names the seconds left and the period', () => {
    expect(totpNote(14, 30)).toBe('kith: valid for 14 more seconds (codes change every 30 seconds)')
    expect(totpNote(1, 30)).toBe('kith: valid for 1 more second (codes change every 30 seconds)')
  })
})
