/**
 * /api/dashboard: reads the dashboard page needs beyond the resource routes. GET /items?ids=a,b
 * answers the current state of the items an event stream burst named, in one request, and says
 * which are gone (purged elsewhere) without a 404 per item.
 */
import { Hono } from 'hono'
import { requireScope, type ApiEnv } from '../auth.js'
import type { ItemsPort } from '../ports.js'
import type { Item } from '../../vault/Item.js'
import { HttpError } from '../errors.js'
import { itemIdsQuery, queryOf } from '../schemas.js'
import { toError } from '../../toError.js'

export const MAX_IDS = 200

export function dashboardRoutes(items: Pick<ItemsPort, 'getItem'>) {
  return new Hono<ApiEnv>().get('/items', requireScope('items:read'), queryOf(itemIdsQuery), c => {
    const ids = (c.req.valid('query').ids ?? '').split(',').filter(id => id !== '')
    if (ids.length > MAX_IDS) throw new HttpError(400, 'invalid_request', `at most ${MAX_IDS} ids at a time`)
    const found: Item[] = []
    const missing: string[] = []
    for (const id of new Set(ids)) {
      try {
        found.push(items.getItem(id))
      } catch (err) {
        if (toError(err).name !== 'ItemNotFoundError') throw err
        missing.push(id)
      }
    }
    return c.json({ items: found, missing }, 200)
  })
}
