/**
 * Memory hygiene (issue 11): the bytes a password becomes for Argon2 and the key Argon2 answers are
 * overwritten once derived. The argon2 package is wrapped to keep what Kith handed it and what it
 * answered, and both are all zeros after argon2id returns, which still returns the right key.
 */
import { describe, expect, it, vi } from 'vitest'

const seen = vi.hoisted(() => ({ passwords: [] as Uint8Array[], results: [] as Uint8Array[] }))

vi.mock('argon2', async importOriginal => {
  const real = (await importOriginal<{ default: typeof import('argon2') }>()).default
  return {
    default: {
      ...real,
      hash: async (password: Buffer, options: Parameters<typeof real.hash>[1]) => {
        seen.passwords.push(password)
        const result = (await real.hash(password, options)) as unknown as Buffer
        seen.results.push(result)
        return result
      }
    }
  }
})

const { argon2id } = await import('../../daemon/crypto/kdf.js')
const argon2 = (await import('argon2')).default

const params = { m: 64, t: 1, p: 1 }
const salt = new Uint8Array(16).fill(7)
const zero = (b: Uint8Array): boolean => b.length > 0 && b.every(x => x === 0)

describe('argon2id', () => {
  it('overwrites the password bytes and the native result; the key it returns is right', async () => {
    seen.passwords.length = 0
    seen.results.length = 0
    const key = await argon2id('correct horse battery staple', salt, params, { allowWeak: true })
    expect(seen.passwords).toHaveLength(1)
    expect(seen.passwords[0]?.length).toBe('correct horse battery staple'.length)
    expect(zero(seen.passwords[0] as Uint8Array)).toBe(true)
    expect(zero(seen.results[0] as Uint8Array)).toBe(true)
    // the same derivation, with bytes this test owns: the returned key is the real one
    const expected = await argon2.hash(Buffer.from('correct horse battery staple'), {
      type: argon2.argon2id,
      raw: true,
      salt: Buffer.from(salt),
      memoryCost: params.m,
      timeCost: params.t,
      parallelism: params.p,
      hashLength: 32
    })
    expect(key).toEqual(new Uint8Array(expected))
  })

  it('leaves a password given as bytes to its owner and overwrites only its own copy', async () => {
    seen.passwords.length = 0
    const mine = new TextEncoder().encode('another fine password')
    await argon2id(mine, salt, params, { allowWeak: true })
    expect(zero(seen.passwords[0] as Uint8Array)).toBe(true)
    expect(new TextDecoder().decode(mine)).toBe('another fine password')
  })

  it('overwrites the password bytes when Argon2 fails', async () => {
    seen.passwords.length = 0
    await expect(argon2id('correct horse battery staple', salt, { m: 1, t: 1, p: 1 }, { allowWeak: true })).rejects.toThrow()
    expect(zero(seen.passwords[0] as Uint8Array)).toBe(true)
  })
})
