/** The item list's index (web-ui/src/search.ts): title order, every word must match, sections, facets. */
import { describe, it, expect } from 'vitest'
import { ItemIndex } from '../../web-ui/src/search.js'
import type { Item } from '../../daemon/vault/Item.js'

let n = 0
function item(fields: Partial<Item>): Item {
  n++
  return {
    id: `id-${String(n).padStart(3, '0')}`,
    vault: 'Personal',
    attachments: [],
    title: '',
    username: '',
    password: 'not searched',
    urls: [],
    notes: 'not searched either',
    totp: null,
    fields: [],
    tags: [],
    folder: '',
    favorite: false,
    trashed: false,
    createdAt: '',
    updatedAt: '',
    type: 'login',
    expiresAt: null,
    ...fields
  }
}

const items = [
  item({ title: 'github', username: 'me@example.com', urls: ['https://github.com/login'], tags: ['dev'], folder: 'Work', favorite: true }),
  item({ title: 'GitLab', username: 'ops', folder: 'Work/Infra', tags: ['dev', 'ops'] }),
  item({ title: 'Bank', username: 'me', folder: 'Workshop', vault: 'Family' }),
  item({ title: 'bank', username: 'you', vault: 'Family' }),
  item({ title: 'Old forum', username: 'me', trashed: true, tags: ['gone'], folder: 'Archive' })
]
const index = new ItemIndex(items)
const titles = (list: Item[]): string[] => list.map(i => `${i.title}/${i.username}`)
const all = { vault: '', section: 'all', query: '' }

describe('ItemIndex', () => {
  it('lists live items by title, case-insensitively, ties in id order, and counts every item', () => {
    expect(titles(index.filter(all))).toEqual(['Bank/me', 'bank/you', 'github/me@example.com', 'GitLab/ops'])
    expect(index.size).toBe(5)
  })

  it('matches every word of the query, in any field it indexes, ignoring case and extra spaces', () => {
    expect(titles(index.filter({ ...all, query: 'GIT' }))).toEqual(['github/me@example.com', 'GitLab/ops'])
    expect(titles(index.filter({ ...all, query: '  git   login ' }))).toEqual(['github/me@example.com'])
    expect(titles(index.filter({ ...all, query: 'infra' }))).toEqual(['GitLab/ops'])
    expect(titles(index.filter({ ...all, query: 'ops dev' }))).toEqual(['GitLab/ops'])
    expect(titles(index.filter({ ...all, query: 'git bank' }))).toEqual([])
  })

  it('never searches passwords or notes', () => {
    expect(index.filter({ ...all, query: 'searched' })).toEqual([])
  })

  it('filters by vault, favourites, a folder with its subfolders (not a folder that only starts alike), a tag, and the trash', () => {
    expect(titles(index.filter({ ...all, vault: 'Family' }))).toEqual(['Bank/me', 'bank/you'])
    expect(titles(index.filter({ ...all, section: 'favorites' }))).toEqual(['github/me@example.com'])
    expect(titles(index.filter({ ...all, section: 'folder:Work' }))).toEqual(['github/me@example.com', 'GitLab/ops'])
    expect(titles(index.filter({ ...all, section: 'folder:Work/Infra' }))).toEqual(['GitLab/ops'])
    expect(titles(index.filter({ ...all, section: 'tag:ops' }))).toEqual(['GitLab/ops'])
    expect(titles(index.filter({ ...all, section: 'trash' }))).toEqual(['Old forum/me'])
    expect(titles(index.filter({ ...all, section: 'trash', query: 'bank' }))).toEqual([])
  })

  it('offers the folders and tags of live items only, sorted, per vault or for all', () => {
    expect(index.facets('')).toEqual({ folders: ['Work', 'Work/Infra', 'Workshop'], tags: ['dev', 'ops'], types: ['login'], expiring: 0 })
    expect(index.facets('Family')).toEqual({ folders: ['Workshop'], tags: [], types: ['login'], expiring: 0 })
  })
})
