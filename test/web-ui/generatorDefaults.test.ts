/** The dashboard's generator starts where the CLI's does (newcomer report F32): same length, every character class. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_PASSWORD_LENGTH } from '../../daemon/service/passwordGenerator.js'
import { GENERATOR_DEFAULTS } from '../../web-ui/src/generatorDefaults.js'

describe('the generator defaults', () => {
  it('are the same length in the dashboard as in the CLI, with every class on', () => {
    expect(DEFAULT_PASSWORD_LENGTH).toBe(24)
    expect(GENERATOR_DEFAULTS).toEqual({ length: DEFAULT_PASSWORD_LENGTH, lower: true, upper: true, digits: true, symbols: true })
  })
})
