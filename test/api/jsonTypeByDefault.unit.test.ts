/**
 * jsonTypeByDefault (api/jsonTypeByDefault.ts) leaves a request that names its Content-Type alone:
 * on the Node server, touching `raw.body` makes a web stream over the request that keeps every
 * chunk the route reads from the request itself (an upload of a file stayed whole in memory).
 */
import type { Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { jsonTypeByDefault } from '../../daemon/api/jsonTypeByDefault.js'

function contextOf(method: string, headers: Record<string, string>): { c: Context; touched: () => boolean } {
  let touched = false
  const req = {
    method,
    header: (name: string) => headers[name.toLowerCase()],
    get raw(): Request {
      touched = true
      return new Request('http://localhost/api/items/x/attachments', { method, headers, body: 'bytes' })
    }
  }
  return { c: { req } as unknown as Context, touched: () => touched }
}

describe('jsonTypeByDefault', () => {
  it('never touches the body of a request that names its Content-Type (an upload streams from the request itself)', async () => {
    const { c, touched } = contextOf('POST', { 'content-type': 'application/octet-stream', 'content-length': '5' })
    let reached = false
    await jsonTypeByDefault()(c, async () => {
      reached = true
    })
    expect(reached).toBe(true)
    expect(touched()).toBe(false)
  })

  it('never touches the body of a GET', async () => {
    const { c, touched } = contextOf('GET', {})
    await jsonTypeByDefault()(c, async () => {})
    expect(touched()).toBe(false)
  })
})
