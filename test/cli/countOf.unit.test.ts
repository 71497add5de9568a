/** Counts the CLI prints read as English (newcomer report F28): "1 item", "1 note above", never "1 items". */
import { describe, expect, it } from 'vitest'
import { countOf } from '../../daemon/cli/countOf.js'
import { importSummary } from '../../daemon/cli/importSummary.js'

describe('countOf', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(countOf(1, 'item')).toBe('1 item')
    expect(countOf(0, 'item')).toBe('0 items')
    expect(countOf(2, 'key record')).toBe('2 key records')
    expect(countOf(1, 'entry', 'entries')).toBe('1 entry')
  })
})

describe('the line kith import prints', () => {
  it('says "1 item" and "1 note above" for one of each', () => {
    const line = importSummary({
      imported: 1,
      skipped: 0,
      vault: 'Personal',
      vaults: [],
      warnings: ['attachments were not imported (1): x']
    })
    expect(line).toBe('imported 1 item into Personal; skipped 0 already present; 1 note above')
  })

  it('keeps the plural for several', () => {
    const line = importSummary({ imported: 3, skipped: 2, vault: 'Family', createdVault: true, vaults: [], warnings: ['a', 'b'] })
    expect(line).toBe('imported 3 items into Family (a new vault); skipped 2 already present; 2 notes above')
  })
})
