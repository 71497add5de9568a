/** The meter's text (web-ui/src/strength.ts): the daemon's verdict shown as label, bits and the estimator's warning. */
import { describe, expect, it } from 'vitest'
import { strengthText } from '../../web-ui/src/strength.js'

const verdict = { score: 0 as const, weak: true, label: 'Very weak', bits: 10, warning: '', suggestions: [] }

describe('strengthText', () => {
  it('shows the label and bits of the daemon’s verdict', () => {
    expect(strengthText(verdict)).toBe('Very weak · about 10 bits')
  })
  it('adds the estimator’s warning when there is one', () => {
    expect(strengthText({ ...verdict, warning: 'This is a commonly used password.' })).toBe(
      'Very weak · about 10 bits · This is a commonly used password.'
    )
  })
})
