/** The master-password meter (web-ui/src/strength.ts): pool and length, discounted for runs, repeats and common words. */
import { describe, it, expect } from 'vitest'
import { estimateStrength } from '../../web-ui/src/strength.js'

const score = (pw: string): number => estimateStrength(pw).score

describe('estimateStrength', () => {
  it('rates nothing as very weak with 0 bits', () => {
    expect(estimateStrength('')).toEqual({ score: 0, label: 'Very weak', bits: 0 })
  })

  it('labels each score', () => {
    const labels = ['', 'abc12', 'Tr0ub4dor&', 'correct horse battery', 'q7#Lm2!vR9@xZ4$kP8&w'].map(pw => estimateStrength(pw).label)
    expect(new Set(labels).size).toBeGreaterThan(3)
    for (const l of labels) expect(['Very weak', 'Weak', 'Fair', 'Good', 'Strong']).toContain(l)
  })

  it('keeps long but predictable passwords weak: repeats, runs, and a few characters over and over', () => {
    expect(score('aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(0)
    expect(score('abcdefghijklmnopqrstuvwx')).toBeLessThanOrEqual(1)
    expect(score('123456789012345678901234')).toBeLessThanOrEqual(1)
    expect(score('abababababababababababab')).toBeLessThanOrEqual(1)
  })

  it('marks down well-known passwords and words, whatever their case', () => {
    expect(score('Password')).toBe(0)
    expect(score('PASSWORD1!')).toBeLessThanOrEqual(1)
    expect(estimateStrength('qwertyXq').bits).toBeLessThan(estimateStrength('hjklmnXq').bits)
  })

  it('rates a long random password, and a long passphrase, strong', () => {
    expect(score('q7#Lm2!vR9@xZ4$kP8&w')).toBe(4)
    expect(score('correct horse battery staple orbit')).toBeGreaterThanOrEqual(3)
  })

  it('never loses strength when a random character is appended', () => {
    let pw = ''
    let bits = 0
    for (const c of 'x9$Kq2!mZ7@pL4#v') {
      pw += c
      const next = estimateStrength(pw).bits
      expect(next, pw).toBeGreaterThanOrEqual(bits)
      bits = next
    }
  })
})
