/** KDBX variants written with kdbxweb itself: 3.1 and 4.0, AES-KDF, Argon2d and Argon2id, AES-256 and ChaCha20; TABs survive. */
import kdbxweb from 'kdbxweb'
import { describe, expect, it } from 'vitest'
import { importKdbx } from '../../daemon/interop/kdbx.js'
import { escapeTextTabs, setUpKdbxweb } from '../../daemon/interop/kdbxSetup.js'

const { Consts } = kdbxweb

async function makeDb(options: { version: 3 | 4; kdf: string; cipher: string }): Promise<Uint8Array> {
  setUpKdbxweb()
  const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString('pw')), 'Test DB')
  db.header.setVersion(options.version)
  if (options.version === 4) {
    db.header.setKdf(options.kdf)
    const params = db.header.kdfParameters
    if (params !== undefined && options.kdf !== Consts.KdfId.Aes) {
      params.set('M', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(1024 * 1024))
      params.set('I', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(2))
    }
  }
  db.header.dataCipherUuid = new kdbxweb.KdbxUuid(options.cipher)
  const group = db.createGroup(db.getDefaultGroup(), 'Work')
  const entry = db.createEntry(group)
  entry.fields.set('Title', 'Tabbed')
  entry.fields.set('UserName', 'ann')
  entry.fields.set('Password', kdbxweb.ProtectedValue.fromString('pw\twith tab'))
  entry.fields.set('Notes', '\tcol1\tcol2\nnext line')
  entry.fields.set('Plain field', 'a\tb')
  entry.fields.set('Secret field', kdbxweb.ProtectedValue.fromString('s3cret'))
  entry.fields.set('otp', 'otpauth://totp/T:ann?secret=JBSWY3DPEHPK3PXP')
  entry.tags = ['one', 'two']
  const trashed = db.createEntry(group)
  trashed.fields.set('Title', 'Gone')
  db.remove(trashed)
  return new Uint8Array(await db.save())
}

describe('kdbx importer', () => {
  const variants = [
    { name: 'KDBX 3.1, AES-KDF, AES-256', version: 3 as const, kdf: Consts.KdfId.Aes, cipher: Consts.CipherId.Aes },
    { name: 'KDBX 4, AES-KDF, ChaCha20', version: 4 as const, kdf: Consts.KdfId.Aes, cipher: Consts.CipherId.ChaCha20 },
    { name: 'KDBX 4, Argon2d, AES-256', version: 4 as const, kdf: Consts.KdfId.Argon2d, cipher: Consts.CipherId.Aes },
    { name: 'KDBX 4, Argon2id, ChaCha20', version: 4 as const, kdf: Consts.KdfId.Argon2id, cipher: Consts.CipherId.ChaCha20 }
  ]
  for (const v of variants) {
    it(`${v.name}: reads entries, folders, protected fields, TOTP, trash and keeps TAB characters`, async () => {
      const data = await makeDb(v)
      const { items } = await importKdbx(data, { password: 'pw' })
      const tabbed = items.find(i => i.title === 'Tabbed')
      expect(tabbed).toMatchObject({
        username: 'ann',
        password: 'pw\twith tab',
        notes: '\tcol1\tcol2\nnext line',
        folder: 'Work',
        tags: ['one', 'two'],
        trashed: false,
        totp: 'otpauth://totp/T:ann?secret=JBSWY3DPEHPK3PXP',
        fields: [
          { name: 'Plain field', value: 'a\tb', hidden: false },
          { name: 'Secret field', value: 's3cret', hidden: true }
        ]
      })
      expect(items.find(i => i.title === 'Gone')).toMatchObject({ trashed: true })
      await expect(importKdbx(data, { password: 'nope' })).rejects.toThrow(/wrong password/)
    }, 20_000)
  }

  it('escapeTextTabs only touches text between tags', () => {
    expect(escapeTextTabs('<a\tb="1">\tx\t</a>')).toBe('<a\tb="1">&#9;x&#9;</a>')
  })
})
