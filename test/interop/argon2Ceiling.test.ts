/** Encrypted imports asking Argon2 for 4 GiB are refused with a clear ImportError before any key is derived. */
import { createHash, randomBytes } from 'node:crypto'
import kdbxweb from 'kdbxweb'
import { describe, expect, it, vi } from 'vitest'
import { ARGON2_CEILING, FOREIGN_ARGON2_CEILING } from '../../daemon/crypto/kdf.js'
import { ImportError } from '../../daemon/interop/errors.js'
import { MAX_AES_KDF_ROUNDS, setUpKdbxweb } from '../../daemon/interop/kdbxSetup.js'
import { exporters, importers } from '../../daemon/interop/registry.js'
import { utf8 } from './helpers.js'

/** Every Argon2 derivation's memory (KiB); one above the foreign ceiling is never run, so the test cannot exhaust memory. */
const derivations = vi.hoisted(() => [] as number[])
vi.mock('argon2', async importOriginal => {
  const real = (await importOriginal()) as { default: { hash: (...a: unknown[]) => Promise<unknown> } }
  const hash = async (password: unknown, options: { memoryCost: number }): Promise<unknown> => {
    derivations.push(options.memoryCost)
    if (options.memoryCost > 1024 * 1024) throw new Error(`derivation attempted with ${options.memoryCost} KiB`)
    return await real.default.hash(password, options)
  }
  return { ...real, default: { ...real.default, hash } }
})

const FOUR_GIB_KIB = 4 * 1024 * 1024

async function refused(promise: Promise<unknown>, format: string, pattern: RegExp): Promise<void> {
  const before = derivations.length
  const t0 = performance.now()
  const err = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ImportError)
  expect((err as ImportError).format).toBe(format)
  expect((err as Error).message).toMatch(pattern)
  expect((err as Error).message).toContain(format)
  expect(derivations.slice(before)).toEqual([])
  expect(performance.now() - t0).toBeLessThan(1000)
}

describe('Argon2 parameters of imported files are capped', () => {
  it('the kith-encrypted ceiling is what Kith itself writes at most (256 MiB), the foreign one Bitwarden’s 1 GiB', () => {
    expect(ARGON2_CEILING.m).toBe(256 * 1024)
    expect(FOREIGN_ARGON2_CEILING.m).toBe(1024 * 1024)
  })

  it('kith-encrypted asking for 4 GiB', async () => {
    const bytes = await exporters['kith-encrypted']([], { password: 'pw', vaultName: 'V' })
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(9, FOUR_GIB_KIB)
    await refused(importers['kith-encrypted'](bytes, { password: 'pw' }), 'kith-encrypted', /4096 MiB is above the 256 MiB limit/)
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(9, 512 * 1024)
    await refused(importers['kith-encrypted'](bytes, { password: 'pw' }), 'kith-encrypted', /512 MiB is above the 256 MiB limit/)
  })

  it('a password-protected Bitwarden export asking for 4 GiB', async () => {
    const enc = (): string =>
      `2.${randomBytes(16).toString('base64')}|${randomBytes(32).toString('base64')}|${randomBytes(32).toString('base64')}`
    const file = {
      encrypted: true,
      passwordProtected: true,
      salt: 'c2FsdA==',
      kdfType: 1,
      kdfIterations: 3,
      kdfMemory: 4096,
      kdfParallelism: 4,
      encKeyValidation_DO_NOT_EDIT: enc(),
      data: enc()
    }
    await refused(
      importers['bitwarden-json'](utf8(JSON.stringify(file)), { password: 'pw' }),
      'bitwarden-json',
      /4096 MiB is above the 1024 MiB limit/
    )
  })

  it('a KDBX 4 database whose Argon2id header asks for 4 GiB', async () => {
    setUpKdbxweb()
    const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString('pw')), 'DB')
    db.header.setVersion(4)
    db.header.setKdf(kdbxweb.Consts.KdfId.Argon2id)
    db.header.kdfParameters?.set('M', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1024 * 1024))
    db.header.kdfParameters?.set('I', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1))
    const bytes = new Uint8Array(await db.save())
    // the variant dictionary's "M" entry: type 0x05 (UInt64), key length 1, "M", value length 8, then the value
    const needle = Buffer.from([0x05, 1, 0, 0, 0, 0x4d, 8, 0, 0, 0])
    const at = Buffer.from(bytes).indexOf(needle)
    expect(at).toBeGreaterThan(0)
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at + needle.length, BigInt(FOUR_GIB_KIB) * 1024n, true)
    // the unkeyed SHA-256 of the header that follows its end field (id 0, length 4, kdbxweb's 0x00D0AD0A) is fixed up to match
    const end = Buffer.from(bytes).indexOf(Buffer.from([0x00, 4, 0, 0, 0, 0x00, 0xd0, 0xad, 0x0a])) + 9
    bytes.set(createHash('sha256').update(bytes.subarray(0, end)).digest(), end)
    await refused(importers.kdbx(bytes, { password: 'pw' }), 'kdbx', /4096 MiB is above the 1024 MiB limit/)
  })

  it('a KDBX 3.1 database asking AES-KDF for 2^62 rounds is refused before deriving', async () => {
    setUpKdbxweb()
    const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString('pw')), 'DB')
    db.header.setVersion(3)
    db.header.keyEncryptionRounds = 1000
    const bytes = new Uint8Array(await db.save())
    // header field 6 (TransformRounds): id, u16 size 8, u64 rounds (KDBX 3.1 checks the header hash only after decrypting)
    const needle = Buffer.from([0x06, 0x08, 0x00, 0xe8, 0x03, 0, 0, 0, 0, 0, 0])
    const at = Buffer.from(bytes).indexOf(needle)
    expect(at).toBeGreaterThan(0)
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at + 3, 2n ** 62n, true)
    const t0 = performance.now()
    const err = await importers.kdbx(bytes, { password: 'pw' }).then(
      () => null,
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(ImportError)
    expect((err as Error).message).toMatch(new RegExp(`kdbx.*above the limit of ${MAX_AES_KDF_ROUNDS.toLocaleString('en')}`))
    expect(performance.now() - t0).toBeLessThan(1000)
  })
})
