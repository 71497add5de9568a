/** The HTTP API with typed items: create a card, read it with its type and expiry, a clear 400 for a bad expiry, partial edits, search. */
import { describe, it, expect } from 'vitest'
import { inProcessApp } from '../helpers/inProcessApp.js'

describe('HTTP API: item types and expiry', () => {
  it('creates a card, shows type, typed fields and expiry, edits one field, searches its brand and last digits', async () => {
    const { request } = await inProcessApp()
    const created = await request('POST', '/api/items', {
      body: {
        title: 'Everyday Visa',
        type: 'card',
        expiresAt: '2029-03-31',
        card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111 1111 1111 1111', expMonth: '03', expYear: '2029', cvv: '737' }
      }
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const item = (await (await request('GET', `/api/items/${id}`)).json()) as Record<string, unknown>
    expect(item).toMatchObject({
      type: 'card',
      expiresAt: '2029-03-31T00:00:00.000Z',
      username: '',
      fields: [],
      card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' }
    })
    expect(item.identity).toBeUndefined()

    const patched = await request('PATCH', `/api/items/${id}`, { body: { card: { cvv: '999' } } })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as { card: Record<string, string> }).card).toMatchObject({
      cvv: '999',
      brand: 'Visa',
      number: '4111111111111111'
    })

    await request('POST', '/api/items', { body: { title: 'Mail', username: 'visa-fan' } })
    const byDigits = (await (await request('GET', '/api/items?q=1111')).json()) as Array<{ id: string }>
    expect(byDigits.map(i => i.id)).toEqual([id])
    // the CVV is secret: not searchable
    expect(await (await request('GET', '/api/items?q=999')).json()).toEqual([])
  })

  it('an item without a type is a login that does not expire; a login gains an expiry and loses it again', async () => {
    const { request } = await inProcessApp()
    const { id } = (await (await request('POST', '/api/items', { body: { title: 'GitHub', password: 'pw' } })).json()) as { id: string }
    expect(await (await request('GET', `/api/items/${id}`)).json()).toMatchObject({ type: 'login', expiresAt: null })
    expect((await (await request('PATCH', `/api/items/${id}`, { body: { expiresAt: '2027-01-31' } })).json()) as object).toMatchObject({
      expiresAt: '2027-01-31T00:00:00.000Z'
    })
    expect((await (await request('PATCH', `/api/items/${id}`, { body: { expiresAt: null } })).json()) as object).toMatchObject({
      expiresAt: null
    })
  })

  it('refuses a bad card expiry, an unknown type and typed fields of another type with a 400 naming the field; nothing is stored', async () => {
    const { request } = await inProcessApp()
    const cases: Array<[object, RegExp]> = [
      [{ title: 'x', type: 'card', card: { expMonth: '13', expYear: '2029' } }, /card\.expMonth must be a month from 1 to 12/],
      [{ title: 'x', type: 'card', card: { expYear: 'soon' } }, /card\.expYear must be a year/],
      [{ title: 'x', type: 'wallet' }, /type must be one of login, note, card, identity, sshKey, other/],
      [{ title: 'x', identity: { firstName: 'Jane' } }, /identity fields belong to items of type "identity", not "login"/],
      [{ title: 'x', expiresAt: 'tomorrow' }, /expiresAt must be an ISO 8601 date/],
      [{ title: 'x', type: 'card', card: { number: 7 } }, /card/]
    ]
    for (const [body, message] of cases) {
      const res = await request('POST', '/api/items', { body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      const error = ((await res.json()) as { error: { code: string; message: string } }).error
      expect(error.code).toBe('invalid_request')
      expect(error.message, JSON.stringify(body)).toMatch(message)
    }
    expect(await (await request('GET', '/api/items')).json()).toEqual([])
  })
})
