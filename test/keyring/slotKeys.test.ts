/**
 * Memory hygiene (issue 11): every slot key the KDF derives is overwritten once the slot is made or
 * opened, also when opening fails (a wrong password) and when sealing fails.
 */
import { describe, expect, it } from 'vitest'
import { createPasswordSlot, openPasswordSlot } from '../../daemon/keyring/UnlockSlot.js'
import type { Kdf } from '../../daemon/keyring/Kdf.js'
import { testKdf } from '../helpers/testKdf.js'

const zero = (b: Uint8Array): boolean => b.length > 0 && b.every(x => x === 0)
const root = new Uint8Array(32).fill(9)

/** testKdf, keeping every key it hands out (optionally cut short, which the AEAD refuses) */
function recording(length = 32): { kdf: Kdf; keys: Uint8Array[] } {
  const keys: Uint8Array[] = []
  const kdf: Kdf = {
    floor: testKdf.floor,
    derive: async (password, salt, params) => {
      const key = (await testKdf.derive(password, salt, params)).slice(0, length)
      keys.push(key)
      return key
    }
  }
  return { kdf, keys }
}

describe('password slot keys', () => {
  it('are zeroed after a slot is made, opened, and refused a wrong password', async () => {
    const { kdf, keys } = recording()
    const slot = await createPasswordSlot(kdf, 'correct horse battery staple', root, testKdf.floor)
    expect(await openPasswordSlot(kdf, slot, 'correct horse battery staple')).toEqual(root)
    await expect(openPasswordSlot(kdf, slot, 'wrong horse battery staple')).rejects.toThrow()
    expect(keys).toHaveLength(3)
    for (const key of keys) expect(zero(key)).toBe(true)
  })

  it('is zeroed when sealing the root key fails', async () => {
    const { kdf, keys } = recording(16)
    await expect(createPasswordSlot(kdf, 'correct horse battery staple', root, testKdf.floor)).rejects.toThrow()
    expect(keys).toHaveLength(1)
    expect(zero(keys[0] as Uint8Array)).toBe(true)
  })
})
