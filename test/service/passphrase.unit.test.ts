/** Passphrases from the EFF large wordlist: word count, separators, capitals, refusals; and the CLI's export-password minimum is the daemon's. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_PASSPHRASE_WORDS, generatePassphrase } from '../../daemon/service/passwordGenerator.js'
import { zxcvbnCommon } from '../../daemon/service/health/zxcvbnModules.js'
import { MIN_EXPORT_PASSWORD_LENGTH } from '../../daemon/service/PortabilityService.js'
import { MIN_EXPORT_PASSWORD_LENGTH as CLI_MIN } from '../../daemon/cli/weakSecret.js'

describe('generatePassphrase', () => {
  it('uses the EFF large wordlist (7,776 words, abacus … zoom)', async () => {
    const list = (await zxcvbnCommon()).dictionary['diceware-common']
    expect(list.length).toBe(7776)
    expect([list[0], list.at(-1)]).toEqual(['abacus', 'zoom'])
    expect(new Set(list).size).toBe(7776)
    const words = new Set(list)
    const phrase = await generatePassphrase()
    const parts = phrase.split('-')
    expect(parts.length).toBe(DEFAULT_PASSPHRASE_WORDS)
    for (const w of parts) expect(words.has(w), w).toBe(true)
  })

  it('takes a word count, a separator, capitals, or a random digit between words', async () => {
    expect((await generatePassphrase({ words: 4, separator: ' ' })).split(' ').length).toBe(4)
    const capital = await generatePassphrase({ words: 5, separator: '.', capitalize: true })
    for (const w of capital.split('.')) expect(w).toMatch(/^[A-Z][a-z-]*$/)
    const digits = await generatePassphrase({ words: 3, separator: 'digit' })
    expect(digits).toMatch(/^[a-z-]+[0-9][a-z-]+[0-9][a-z-]+$/)
  })

  it('differs from one call to the next (CSPRNG)', async () => {
    const seen = new Set(await Promise.all(Array.from({ length: 20 }, async () => await generatePassphrase())))
    expect(seen.size).toBe(20)
  })

  it('refuses fewer than 3 or more than 20 words, and a long separator', async () => {
    await expect(generatePassphrase({ words: 2 })).rejects.toThrow(/between 3 and 20 words/)
    await expect(generatePassphrase({ words: 21 })).rejects.toThrow(/between 3 and 20 words/)
    await expect(generatePassphrase({ words: 4.5 })).rejects.toThrow(/between 3 and 20 words/)
    await expect(generatePassphrase({ separator: '----' })).rejects.toThrow(/at most 3 characters/)
  })

  it('the CLI refuses the same short export passwords the daemon does', () => {
    expect(CLI_MIN).toBe(MIN_EXPORT_PASSWORD_LENGTH)
  })
})
