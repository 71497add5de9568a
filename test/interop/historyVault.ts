/** Shared by the history and attachment export tests: a vault whose items have versions and files, and how to read them back. */
import { createHash } from 'node:crypto'
import { TYPED_FIELDS, type FieldValue, type HistoryField, type Item } from '../../daemon/vault/Item.js'
import type { HistoryVersion } from '../../daemon/vault/ItemHistory.js'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import type { ExportOptions } from '../../daemon/interop/types.js'

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** Deterministic bytes that do not compress (a stand-in for a PDF or photo). */
export function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** A vault whose items have been edited over the years (whole seconds: KeePass keeps no milliseconds) and carry files. */
export interface HistoryVault {
  doc: VaultDoc
  items: Item[]
  /** attachment id → bytes */
  files: Map<string, Uint8Array>
  options: Pick<ExportOptions, 'attachmentData' | 'historyOf'>
}

const at = (iso: string): Date => new Date(iso)

export function historyVault(): HistoryVault {
  const doc = new VaultDoc(undefined, 'ab'.repeat(32))
  const files = new Map<string, Uint8Array>()
  let nextFile = 0
  const attach = (id: string, name: string, data: Uint8Array): void => {
    const fileId = `file${++nextFile}`
    files.set(fileId, data)
    doc.addAttachment(id, {
      id: fileId,
      name,
      size: data.length,
      sha256: sha256(data),
      key: 'A'.repeat(43),
      chunkSize: 1 << 20,
      addedAt: '2024-01-01T00:00:00.000Z'
    })
  }

  const bank = doc.create(
    { title: 'Bank', username: 'ann', password: 'first-Pw-2021', urls: ['https://bank.example'] },
    at('2021-01-01T00:00:00Z')
  )
  doc.update(bank, { password: 'second-Pw-2021' }, at('2021-06-01T10:00:00Z'))
  doc.update(bank, { username: 'ann.b', notes: 'moved to the new branch\nline two' }, at('2022-01-01T11:00:00Z'))
  doc.update(bank, { password: 'third-Pw-2022', urls: ['https://bank.example', 'https://m.bank.example'] }, at('2022-06-01T12:00:00Z'))
  doc.update(bank, { folder: 'Money' }, at('2022-07-01T00:00:00Z'))
  doc.update(bank, { fields: [{ name: 'PIN', value: '4321', hidden: true }], tags: ['finance'] }, at('2023-01-01T13:00:00Z'))
  doc.update(
    bank,
    { title: 'Bank — EU 🏦', totp: 'otpauth://totp/Bank:ann?secret=JBSWY3DPEHPK3PXP&issuer=Bank' },
    at('2023-06-01T14:00:00Z')
  )
  doc.update(bank, { favorite: true }, at('2023-07-01T00:00:00Z'))
  attach(bank, 'statement.pdf', noise(300_000, 7))
  attach(bank, 'notes.txt', new TextEncoder().encode('plain text file\r\nwith CRLF\n'))
  attach(bank, 'empty.bin', new Uint8Array(0))

  const mail = doc.create({ title: 'Mail', username: 'bob', password: 'hunter2' }, at('2022-02-02T02:02:02Z'))
  attach(mail, 'notes.txt', noise(5000, 3))

  const old = doc.create({ title: 'Old forum', username: 'bob', password: 'gone-1' }, at('2020-01-01T00:00:00Z'))
  doc.update(old, { password: 'gone-2' }, at('2020-05-05T05:05:05Z'))
  doc.update(old, { trashed: true }, at('2024-01-01T00:00:00Z'))

  doc.create({ title: 'No history', username: 'x', password: 'y' }, at('2024-02-02T00:00:00Z'))

  const card = doc.create(
    { title: 'Visa', type: 'card', card: { cardholder: 'Ann B', number: '4111111111111111', expMonth: '4', expYear: '2026', cvv: '123' } },
    at('2022-03-03T00:00:00Z')
  )
  doc.update(card, { card: { number: '5500000000000004', expYear: '2030', cvv: '987' } }, at('2025-03-03T00:00:00Z'))

  const items = doc.all()
  return {
    doc,
    items,
    files,
    options: {
      historyOf: id => doc.history(id),
      attachmentData: async (_itemId, attachmentId) => {
        const data = files.get(attachmentId)
        if (data === undefined) throw new Error(`no file ${attachmentId}`)
        return data
      }
    }
  }
}

/** A version's values, for comparing histories across a round trip: when, and each field's old and new value. */
export type VersionValues = { at: string; changes: Array<[HistoryField, FieldValue | null, FieldValue | null]> }

/** The versions' values, newest first; `only` keeps the changes of those fields (versions left with none are dropped). */
export function versionValues(history: HistoryVersion[], only?: readonly HistoryField[]): VersionValues[] {
  return history
    .map(v => ({
      at: v.at,
      changes: v.changes
        .filter(c => only === undefined || only.includes(c.field))
        .map((c): [HistoryField, FieldValue | null, FieldValue | null] => [c.field, c.from, c.to])
    }))
    .filter(v => v.changes.length > 0)
}

/**
 * What an older copy can show in KeePass (keepassEntry.ts, importedHistory.ts): the group, favourite,
 * trash, type and expiry are not kept per copy; typed fields ride along as its custom strings (kith-type).
 */
export const KEEPASS_FIELDS: readonly HistoryField[] = [
  'title',
  'username',
  'password',
  'urls',
  'notes',
  'totp',
  'fields',
  'tags',
  ...TYPED_FIELDS
]
