/**
 * Memory hygiene (issue 11): the keys an encrypted export or import derives from its password (the
 * Argon2id output and the file key stretched from it) are overwritten once the file is sealed or
 * opened, also when the password is wrong. The KDF module is wrapped to keep what it answered.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { WrongPasswordError } from '../../daemon/interop/errors.js'
import { exporters, importers } from '../../daemon/interop/registry.js'
import { trickyItems, utf8 } from './helpers.js'

const seen = vi.hoisted(() => ({ argon: [] as Uint8Array[], hkdf: [] as Uint8Array[] }))

vi.mock('../../daemon/crypto/kdf.js', async importOriginal => {
  const real = await importOriginal<typeof import('../../daemon/crypto/kdf.js')>()
  return {
    ...real,
    argon2id: async (...args: Parameters<typeof real.argon2id>) => {
      const key = await real.argon2id(...args)
      seen.argon.push(key)
      return key
    },
    hkdf: (...args: Parameters<typeof real.hkdf>) => {
      const key = real.hkdf(...args)
      seen.hkdf.push(key)
      return key
    }
  }
})

const zero = (b: Uint8Array): boolean => b.length > 0 && b.every(x => x === 0)
const PASSWORD = 'correct horse battery staple'

describe('keys derived from an export password', () => {
  it('kith-encrypted: zeroed after export, import and a wrong password', async () => {
    seen.argon.length = 0
    seen.hkdf.length = 0
    const items = trickyItems().slice(0, 3)
    const bytes = await exporters['kith-encrypted'](items, { password: PASSWORD, vaultName: 'V' })
    const back = await importers['kith-encrypted'](bytes, { password: PASSWORD })
    expect(back.items).toHaveLength(items.length)
    await expect(importers['kith-encrypted'](bytes, { password: 'wrong horse battery staple' })).rejects.toBeInstanceOf(WrongPasswordError)
    expect(seen.argon).toHaveLength(3)
    expect(seen.hkdf).toHaveLength(3)
    for (const key of [...seen.argon, ...seen.hkdf]) expect(zero(key)).toBe(true)
  })

  it('a password-protected Bitwarden export (Argon2id): the master key is zeroed after a wrong password', async () => {
    seen.argon.length = 0
    const enc = (): string =>
      `2.${randomBytes(16).toString('base64')}|${randomBytes(32).toString('base64')}|${randomBytes(32).toString('base64')}`
    const file = {
      encrypted: true,
      passwordProtected: true,
      salt: 'c2FsdA==',
      kdfType: 1,
      kdfIterations: 1,
      kdfMemory: 1,
      kdfParallelism: 1,
      encKeyValidation_DO_NOT_EDIT: enc(),
      data: enc()
    }
    await expect(importers['bitwarden-json'](utf8(JSON.stringify(file)), { password: PASSWORD })).rejects.toBeInstanceOf(WrongPasswordError)
    expect(seen.argon).toHaveLength(1)
    expect(zero(seen.argon[0] as Uint8Array)).toBe(true)
  })
})
