import { describe, it, expect } from 'vitest'
import * as Y from 'yjs'
import { VaultDoc } from '../../daemon/vault/VaultDoc.js'
import {
  MAX_CHANGE_BYTES,
  OTHER_VERSIONS_KEPT,
  SECRET_VERSIONS_KEPT,
  decodeVersions,
  historyInput,
  stateBefore
} from '../../daemon/vault/ItemHistory.js'
import { pastStates } from '../../daemon/interop/pastStates.js'

const DEVICE_A = 'aa'.repeat(32)
const DEVICE_B = 'bb'.repeat(32)

function sync(a: VaultDoc, b: VaultDoc): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)))
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)))
}

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute))

describe('item history', () => {
  it('records which fields changed, their old and new values, when and on which device', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Mail', password: 'first' }, at(0))
    expect(v.history(id)).toEqual([])
    v.update(id, { password: 'second', username: 'me' }, at(1))
    v.update(id, { password: 'second' }, at(2)) // no change: no version
    const history = v.history(id)
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ at: at(1).toISOString(), device: DEVICE_A.slice(0, 16), imported: false })
    expect(history[0]?.changes).toEqual([
      { field: 'username', from: '', to: 'me', omitted: false, secret: false },
      { field: 'password', from: 'first', to: 'second', omitted: false, secret: true }
    ])
  })

  it('lists versions newest first and does not show them as item fields', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Mail', password: 'p0' }, at(0))
    for (let i = 1; i <= 3; i++) v.update(id, { password: `p${i}` }, at(i))
    expect(v.history(id).map(h => h.changes[0]?.to)).toEqual(['p3', 'p2', 'p1'])
    expect(Object.keys(v.get(id) ?? {})).not.toContain('h:')
    expect(JSON.stringify(v.get(id))).not.toContain('p2')
  })

  it('keeps both devices’ edits made apart, with both new passwords', () => {
    const a = new VaultDoc(undefined, DEVICE_A)
    const b = new VaultDoc(undefined, DEVICE_B)
    const id = a.create({ title: 'Bank', password: 'p0' }, at(0))
    sync(a, b)
    a.update(id, { password: 'from-a' }, at(1))
    b.update(id, { password: 'from-b', notes: 'b note' }, at(2))
    sync(a, b)
    const ha = a.history(id)
    expect(ha).toEqual(b.history(id))
    expect(ha.map(h => h.device)).toEqual([DEVICE_B.slice(0, 16), DEVICE_A.slice(0, 16)])
    const passwords = ha.flatMap(h => h.changes.filter(c => c.field === 'password').map(c => c.to))
    expect(passwords.sort()).toEqual(['from-a', 'from-b'])
  })

  it('keeps the last 100 password values and caps other versions', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Site', password: 'p0' }, at(0))
    for (let i = 1; i <= SECRET_VERSIONS_KEPT + 20; i++) v.update(id, { password: `p${i}` }, new Date(at(0).getTime() + i * 1000))
    for (let i = 1; i <= OTHER_VERSIONS_KEPT + 20; i++) v.update(id, { notes: `n${i}` }, new Date(at(10).getTime() + i * 1000))
    const history = v.history(id)
    const passwords = history.filter(h => h.changes.some(c => c.field === 'password'))
    expect(passwords).toHaveLength(SECRET_VERSIONS_KEPT)
    expect(passwords.at(-1)?.changes[0]).toMatchObject({ from: 'p20', to: 'p21' })
    expect(history.length - passwords.length).toBe(OTHER_VERSIONS_KEPT)
    expect(history[0]?.changes[0]).toMatchObject({ field: 'notes', to: `n${OTHER_VERSIONS_KEPT + 20}` })
  })

  it('keeps a very large change as changed, without its values', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Big' }, at(0))
    v.update(id, { notes: 'x'.repeat(MAX_CHANGE_BYTES + 1), password: 'secret' }, at(1))
    const [h] = v.history(id)
    expect(h?.changes).toContainEqual({ field: 'notes', from: null, to: null, omitted: true, secret: false })
    expect(h?.changes).toContainEqual({ field: 'password', from: '', to: 'secret', omitted: false, secret: true })
  })

  it('reconstructs the item as it was before a version', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Site', username: 'u0', password: 'p0' }, at(0))
    v.update(id, { password: 'p1' }, at(1))
    v.update(id, { username: 'u2', password: 'p2' }, at(2))
    v.update(id, { trashed: true }, at(3))
    const history = v.history(id)
    const item = v.get(id)
    if (item === undefined) throw new Error('no item')
    expect(stateBefore(item, history, history[1]?.version ?? '')).toEqual({ username: 'u0', password: 'p1' })
    expect(stateBefore(item, history, history[2]?.version ?? '')).toEqual({ username: 'u0', password: 'p0' })
    expect(stateBefore(item, history, 'nope')).toBeUndefined()
  })

  it('writes versions an import carried, checked like edits', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({
      title: 'Old',
      password: 'now',
      history: [
        { at: '2020-01-01T00:00:00.000Z', changes: { password: ['older', 'old'] } },
        { at: '2021-01-01T00:00:00.000Z', changes: { password: ['old', 'now'] } }
      ]
    })
    const history = v.history(id)
    expect(history.map(h => [h.at, h.imported, h.device, h.changes[0]?.from])).toEqual([
      ['2021-01-01T00:00:00.000Z', true, null, 'old'],
      ['2020-01-01T00:00:00.000Z', true, null, 'older']
    ])
    expect(() => v.create({ title: 'x', history: [{ at: 'yesterday', changes: {} }] })).toThrow(/valid date/)
    expect(() => v.create({ title: 'x', history: [{ at: '2020-01-01T00:00:00Z', changes: { password: [1, 'a'] as never } }] })).toThrow(
      /password must be a string/
    )
  })

  it('skips versions it cannot read instead of failing', () => {
    expect(decodeVersions('h:x', 'not json')).toEqual([])
    expect(decodeVersions('h:x', '{"t":0}')).toEqual([])
    expect(decodeVersions('h:x', 7)).toEqual([])
    expect(decodeVersions('h:x', '[[1,"soon",{}],[2,0,null],"junk",[3,1e300,{"title":["a","b"]}]]')).toEqual([])
    expect(decodeVersions('h:abc', '[[1,0,{"unknown":[1,2],"title":["a","b"]}],[2,0,{"unknown":1}]]')).toEqual([
      {
        version: 'abc.1',
        at: new Date(0).toISOString(),
        device: 'abc',
        imported: false,
        changes: [{ field: 'title', from: 'a', to: 'b', omitted: false, secret: false }]
      }
    ])
  })

  it('keeps one string per device and item in the document, whatever the number of versions', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Site', password: 'p0' }, at(0))
    for (let i = 1; i <= 10; i++) v.update(id, { password: `p${i}` }, at(i))
    const keys = [...(v.doc.getMap<Y.Map<unknown>>('items').get(id)?.keys() ?? [])].filter(k => k.startsWith('h:'))
    expect(keys).toEqual([`h:${DEVICE_A.slice(0, 16)}`])
    expect(v.history(id).map(h => h.version)).toEqual(Array.from({ length: 10 }, (_, i) => `${DEVICE_A.slice(0, 16)}.${10 - i}`))
  })

  it('goes with the item when it is purged', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Gone', password: 'old-secret' }, at(0))
    v.update(id, { password: 'new-secret' }, at(1))
    v.purge(id)
    expect(() => v.history(id)).toThrow(/no item/)
    const snapshot = Buffer.from(Y.encodeStateAsUpdate(v.doc))
    expect(snapshot.includes('old-secret')).toBe(false)
  })
})

describe('item history, stored compactly', () => {
  it('keeps a run of edits with each value once, and shows every old and new value', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Site', password: 'pw-0000' }, at(0))
    for (let i = 1; i <= 5; i++) v.update(id, { password: `pw-000${i}` }, at(i))
    const raw = String(
      v.doc
        .getMap<Y.Map<unknown>>('items')
        .get(id)
        ?.get(`h:${DEVICE_A.slice(0, 16)}`)
    )
    for (let i = 0; i <= 5; i++) expect(raw.split(`pw-000${i}`).length - 1, `pw-000${i} stored once`).toBe(1)
    expect(v.history(id).map(h => `${String(h.changes[0]?.from)}>${String(h.changes[0]?.to)}`)).toEqual([
      'pw-0004>pw-0005',
      'pw-0003>pw-0004',
      'pw-0002>pw-0003',
      'pw-0001>pw-0002',
      'pw-0000>pw-0001'
    ])
    expect(v.get(id)?.updatedAt).toBe(at(5).toISOString())
  })

  it('writes a shortened new value out again when the newer version that held it is dropped by the caps', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Site', notes: 'n0' }, at(0))
    // a secret version that also changes the notes, then many notes-only versions push the newer ones out
    v.update(id, { password: 'secret-1', notes: 'n1' }, at(1))
    for (let i = 2; i <= OTHER_VERSIONS_KEPT + 5; i++) v.update(id, { notes: `n${i}` }, new Date(at(1).getTime() + i * 1000))
    const secret = v.history(id).find(h => h.changes.some(c => c.field === 'password'))
    expect(secret?.changes).toContainEqual({ field: 'notes', from: 'n0', to: 'n1', omitted: false, secret: false })
  })
})

describe('item history of typed fields', () => {
  const CARD = { cardholder: 'A Person', number: '4111111111111111', expMonth: '4', expYear: '2029', cvv: '123' }

  it("keeps a card's old number and CVV, marked secret, and its cardholder unmarked", () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Visa', type: 'card', card: CARD }, at(0))
    v.update(id, { card: { number: '5500 0000 0000 0004', cvv: '999', cardholder: 'B Person' } }, at(1))
    const [version] = v.history(id)
    expect(version?.changes).toEqual([
      { field: 'card.cardholder', from: 'A Person', to: 'B Person', omitted: false, secret: false },
      { field: 'card.number', from: '4111111111111111', to: '5500000000000004', omitted: false, secret: true },
      { field: 'card.cvv', from: '123', to: '999', omitted: false, secret: true }
    ])
  })

  it('restores an identity, an SSH key and a card to before a version', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const idn = v.create({ title: 'Me', type: 'identity', identity: { firstName: 'Ann', ssn: '078-05-1120' } }, at(0))
    v.update(idn, { identity: { firstName: 'Anne', ssn: '' } }, at(1))
    const before = stateBefore(v.get(idn)!, v.history(idn), v.history(idn)[0]!.version)!
    expect(before).toEqual({ 'identity.firstName': 'Ann', 'identity.ssn': '078-05-1120' })
    v.update(idn, historyInput(before), at(2))
    expect(v.get(idn)?.identity).toMatchObject({ firstName: 'Ann', ssn: '078-05-1120' })

    const key = v.create({ title: 'Server', type: 'sshKey', sshKey: { privateKey: 'OLD KEY' } }, at(0))
    v.update(key, { sshKey: { privateKey: 'NEW KEY' } }, at(1))
    const [change] = v.history(key)[0]!.changes
    expect(change).toEqual({ field: 'sshKey.privateKey', from: 'OLD KEY', to: 'NEW KEY', omitted: false, secret: true })
    v.update(key, historyInput(stateBefore(v.get(key)!, v.history(key), v.history(key)[0]!.version)!), at(2))
    expect(v.get(key)?.sshKey?.privateKey).toBe('OLD KEY')
  })

  it('brings a card back whole after its type was changed to a note', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Visa', type: 'card', card: CARD }, at(0))
    v.update(id, { type: 'note' }, at(1))
    expect(v.get(id)?.card).toBeUndefined()
    const changed = v.history(id)[0]!.changes.map(c => c.field)
    expect(changed).toEqual(expect.arrayContaining(['type', 'fields', 'card.number', 'card.cvv']))
    v.update(id, historyInput(stateBefore(v.get(id)!, v.history(id), v.history(id)[0]!.version)!), at(2))
    const back = v.get(id)!
    expect(back.type).toBe('card')
    expect(back.card).toMatchObject(CARD)
    expect(back.fields).toEqual([])
  })

  it('gives older copies of a card their old typed values (what a KeePass export writes)', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Visa', type: 'card', card: CARD }, at(0))
    v.update(id, { card: { number: '5500000000000004' } }, at(1))
    const [older] = pastStates(v.get(id)!, v.history(id))
    expect(older?.item.card?.number).toBe('4111111111111111')
    expect(v.get(id)?.card?.number).toBe('5500000000000004')
  })

  it('keeps the versions of typed secrets with the secret ones (kept longest)', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Visa', type: 'card', card: CARD }, at(0))
    for (let i = 1; i <= OTHER_VERSIONS_KEPT + 10; i++)
      v.update(id, { card: { cvv: String(100 + i) } }, new Date(at(0).getTime() + i * 1000))
    expect(v.history(id)).toHaveLength(OTHER_VERSIONS_KEPT + 10)
  })
})

describe('when the password last changed, from the history', () => {
  it('comes from the newest password change in any device’s key; an edit writes no entry of its own', () => {
    const a = new VaultDoc(undefined, DEVICE_A)
    const b = new VaultDoc(undefined, DEVICE_B)
    const id = a.create({ title: 'Mail', password: 'p0' }, at(0))
    const entry = (): unknown => a.doc.getMap<Y.Map<unknown>>('items').get(id)?.get('passwordChangedAt')
    expect(a.passwordChangedAt(id)).toBe(at(0).toISOString())
    a.update(id, { password: 'p1' }, at(1))
    a.update(id, { notes: 'no password change' }, at(2))
    expect(a.passwordChangedAt(id)).toBe(at(1).toISOString())
    expect(entry()).toBe(at(0).toISOString())
    sync(a, b)
    b.update(id, { password: 'p2' }, at(5))
    a.update(id, { password: 'p3' }, at(3))
    sync(a, b)
    expect(a.passwordChangedAt(id)).toBe(at(5).toISOString())
    expect(b.passwordChangedAt(id)).toBe(at(5).toISOString())
    // capped away: the time stays with the key
    for (let i = 0; i < OTHER_VERSIONS_KEPT + 5; i++) a.update(id, { notes: `n${i}` }, new Date(at(10).getTime() + i * 1000))
    expect(a.passwordChangedAt(id)).toBe(at(5).toISOString())
  })

  it('is not fooled by a value that looks like the marker', () => {
    const v = new VaultDoc(undefined, DEVICE_A)
    const id = v.create({ title: 'Sneaky' }, at(0))
    v.update(id, { notes: '{"p":99999999999}' }, at(1))
    v.update(id, { notes: 'x{"p":1}]' }, at(2))
    expect(v.passwordChangedAt(id)).toBeUndefined()
    expect(v.history(id)).toHaveLength(2)
  })
})
