/** The item form's model: a save sends only the fields a person changed, cleaned as the API takes them. */
import { describe, it, expect } from 'vitest'
import { draftOf, inputOf, patchOf } from '../../web-ui/src/itemDraft.js'
import type { Item } from '../../daemon/vault/Item.js'

const item: Item = {
  id: 'i1',
  vault: 'Personal',
  attachments: [],
  title: 'GitHub',
  username: 'jane',
  password: 'old secret',
  urls: ['https://github.com'],
  notes: '',
  totp: null,
  fields: [{ name: 'PIN', value: '1234', hidden: true }],
  tags: ['dev'],
  folder: 'Work/Code',
  favorite: false,
  trashed: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  type: 'login',
  expiresAt: null
}

describe('item draft', () => {
  it('an untouched draft patches nothing', () => {
    const base = draftOf(item, 'Personal')
    expect(patchOf(draftOf(item, 'Personal'), base)).toEqual({})
  })

  it('patches only the fields changed here, so a change made elsewhere to another field is kept', () => {
    const base = draftOf(item, 'Personal')
    const draft = { ...base, password: 'new secret', tags: 'dev, , web, dev' }
    expect(patchOf(draft, base)).toEqual({ password: 'new secret', tags: ['dev', 'web'] })
  })

  it('cleans what the API takes: trimmed title and URLs, blank URLs and empty fields dropped, folder without slashes, empty TOTP as null', () => {
    const draft = {
      ...draftOf(undefined, 'Work'),
      title: '  Bank ',
      urls: [' https://bank.example ', ''],
      folder: '/Money/',
      totp: '  ',
      fields: [
        { name: ' Account ', value: '42', hidden: false },
        { name: '', value: '', hidden: false }
      ]
    }
    expect(draft.vault).toBe('Work')
    expect(inputOf(draft)).toMatchObject({
      title: 'Bank',
      urls: ['https://bank.example'],
      folder: 'Money',
      totp: null,
      fields: [{ name: 'Account', value: '42', hidden: false }]
    })
  })
})
