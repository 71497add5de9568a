/** The one strength estimator (zxcvbn-ts in the daemon): verdicts, the weak threshold, the length cap and its speed. */
import { performance } from 'node:perf_hooks'
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_ESTIMATED_LENGTH, StrengthEstimator, WEAK_BELOW } from '../../../daemon/service/health/StrengthEstimator.js'

const estimator = new StrengthEstimator()
beforeAll(async () => {
  await estimator.load()
}, 30_000)

const score = (pw: string): number => estimator.estimateLoaded(pw).score

describe('StrengthEstimator', () => {
  it('refuses to estimate before it is loaded, and loads once', async () => {
    const fresh = new StrengthEstimator()
    expect(fresh.loaded).toBe(false)
    expect(() => fresh.estimateLoaded('x')).toThrow(/not loaded/)
    await Promise.all([fresh.load(), fresh.load()])
    expect(fresh.loaded).toBe(true)
  })

  it('rates well-known passwords and their l33t and case variants weak, with the estimator’s warning', () => {
    for (const pw of [
      'password123',
      'Password',
      'P@ssw0rd',
      'P@ssw0rd2024!',
      'Dr@g0n123',
      'M0nk3y!!',
      'Sh@d0w99',
      'W3lc0me!',
      'l3tm31n',
      'qwerty123',
      'iloveyou',
      'hunter2',
      'aaaaaaaaaaaaaaaaaaaa'
    ])
      expect(estimator.estimateLoaded(pw).weak, pw).toBe(true)
    const common = estimator.estimateLoaded('password123')
    expect(common).toMatchObject({ score: 0, weak: true, label: 'Very weak' })
    expect(common.warning).toMatch(/common/i)
  })

  it('rates a random 24-character password and a passphrase of random words strong', () => {
    expect(score('q7#Lm2!vR9@xZ4$kP8&wN3^t')).toBe(4)
    expect(score('correct horse battery staple')).toBe(4)
    expect(score('Alias1Seventeen4Triumph2Acts3Radial')).toBe(4)
  })

  it(`calls a score below ${WEAK_BELOW} weak and nothing else`, () => {
    for (const pw of ['abc', 'test-password', 'changed password', 'kith-test-pw', 'q7#Lm2!vR9@xZ4$kP8&w']) {
      const v = estimator.estimateLoaded(pw)
      expect(v.weak, pw).toBe(v.score < WEAK_BELOW)
    }
  })

  it('gives the empty password 0 and bits grow with guesses', () => {
    expect(estimator.estimateLoaded('')).toMatchObject({ score: 0, bits: 0, weak: true })
    expect(estimator.estimateLoaded('correct horse battery staple').bits).toBeGreaterThan(estimator.estimateLoaded('password1').bits)
  })

  it(`estimates only the first ${MAX_ESTIMATED_LENGTH} characters: a megabyte answers fast and at least as strong`, () => {
    const head = 'x'.repeat(MAX_ESTIMATED_LENGTH)
    const started = performance.now()
    const long = estimator.estimateLoaded(head + 'y'.repeat(1 << 20))
    expect(performance.now() - started).toBeLessThan(2000)
    expect(long).toEqual(estimator.estimateLoaded(head))
  })

  it('estimates a random 24-character password in milliseconds once loaded (median of 50 under 60 ms)', () => {
    const chars = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#$%&()*+,-./:;<=>?@[]^_{|}~'
    const times: number[] = []
    for (let i = 0; i < 50; i++) {
      let pw = ''
      for (let j = 0; j < 24; j++) pw += chars[(i * 31 + j * 17 + j * j) % chars.length]
      const t = performance.now()
      estimator.estimateLoaded(pw)
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    expect(times[25]).toBeLessThan(60)
  })
})
