import { describe, it, expect } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'
import type { HistoryVersion, Item } from '../../daemon/api/ports.js'

describe('HTTP API: item history', () => {
  it('lists an item’s versions newest first and restores one as a new edit', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'Mail', username: 'me', password: 'one' } })).json()) as {
      id: string
    }
    await request('PATCH', `/api/items/${id}`, { body: { password: 'two' } })
    await request('PATCH', `/api/items/${id}`, { body: { password: 'three', username: 'you' } })
    const res = await request('GET', `/api/items/${id}/history`)
    expect(res.status).toBe(200)
    const { versions } = (await res.json()) as { id: string; versions: HistoryVersion[] }
    expect(versions.map(v => v.changes.map(c => `${c.field}:${String(c.from)}>${String(c.to)}`))).toEqual([
      ['username:me>you', 'password:two>three'],
      ['password:one>two']
    ])
    expect(versions[0]?.device).toMatch(/^[0-9a-f]{16}$/)
    const oldest = versions[1]?.version ?? ''
    const restored = await request('POST', `/api/items/${id}/history/${oldest}/restore`)
    expect(restored.status).toBe(200)
    expect((await restored.json()) as Item).toMatchObject({ password: 'one', username: 'me' })
    const after = (await (await request('GET', `/api/items/${id}/history`)).json()) as { versions: HistoryVersion[] }
    expect(after.versions).toHaveLength(3)
    expect(after.versions[0]?.changes).toEqual([
      { field: 'username', from: 'you', to: 'me', omitted: false, secret: false },
      { field: 'password', from: 'three', to: 'one', omitted: false, secret: true }
    ])
  })

  it('answers 404 for an unknown item or version and 400 for a malformed version', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'x' } })).json()) as { id: string }
    expect((await request('GET', '/api/items/nope/history')).status).toBe(404)
    const missing = await request('POST', `/api/items/${id}/history/abcdef0123456789.99/restore`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('version_not_found')
    expect((await request('POST', `/api/items/${id}/history/${encodeURIComponent('a b')}/restore`)).status).toBe(400)
  })
})

describe('HTTP API: item history when an item moves', () => {
  it('an item moved to another vault by migrate keeps its history', async () => {
    const { request } = await inProcessApp()
    expect((await request('POST', '/api/vaults', { body: { name: 'Work' } })).status).toBe(201)
    const { id } = (await (
      await request('POST', '/api/items', {
        body: { title: 'Gmail', username: 'me@gmail.com', urls: ['https://mail.google.com'], password: 'a1', vault: 'Work' }
      })
    ).json()) as { id: string }
    await request('PATCH', `/api/items/${id}`, { body: { password: 'a2' } })
    await request('PATCH', `/api/items/${id}`, { body: { password: 'a3' } })
    const before = ((await (await request('GET', `/api/items/${id}/history`)).json()) as { versions: HistoryVersion[] }).versions
    const moved = await request('POST', '/api/migrate', { body: { from: 'Work', to: 'Personal', orgDomain: 'acme.example' } })
    expect(moved.status, await moved.clone().text()).toBe(200)
    expect(((await (await request('GET', `/api/items/${id}`)).json()) as Item).vault).toBe('Personal')
    const after = ((await (await request('GET', `/api/items/${id}/history`)).json()) as { versions: HistoryVersion[] }).versions
    expect(after).toEqual(before)
    expect(after).toHaveLength(2)
  })
})

describe('HTTP API: the trash', () => {
  it('POST /api/trash/empty deletes every trashed item for good; PATCH /api/trash sets the purge after N days', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'gone' } })).json()) as { id: string }
    await request('POST', '/api/items', { body: { title: 'stays' } })
    await request('DELETE', `/api/items/${id}`)
    const emptied = await request('POST', '/api/trash/empty', { body: {} })
    expect(emptied.status).toBe(200)
    expect(await emptied.json()).toEqual({ purged: 1 })
    expect((await request('GET', `/api/items/${id}`)).status).toBe(404)
    expect(await (await request('GET', '/api/items')).json()).toHaveLength(1)
    expect(await (await request('GET', '/api/trash')).json()).toEqual({ purgeAfterDays: 0 })
    expect(await (await request('PATCH', '/api/trash', { body: { purgeAfterDays: 30 } })).json()).toEqual({ purgeAfterDays: 30 })
    expect((await request('PATCH', '/api/trash', { body: { purgeAfterDays: -2 } })).status).toBe(400)
  })
})
