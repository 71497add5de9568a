/**
 * /api/dashboard: reads the dashboard page needs beyond the resource routes. GET /items?ids=a,b
 * answers the current state of the items an event stream burst named, in one request, and says
 * which are gone (purged elsewhere) without a 404 per item.
 */
import { Hono } from 'hono'
import type { VaultService } from '../../service/VaultService.js'
import type { Item } from '../../vault/Item.js'
import { HttpError } from '../errors.js'

export const MAX_IDS = 200

export function dashboardRoutes (service: Pick<VaultService, 'getItem'>) {
  return new Hono()
    .get('/items', c => {
      const ids = (c.req.query('ids') ?? '').split(',').filter(id => id !== '')
      if (ids.length > MAX_IDS) throw new HttpError(400, 'invalid_request', `at most ${MAX_IDS} ids at a time`)
      const items: Item[] = []
      const missing: string[] = []
      for (const id of new Set(ids)) {
        try {
          items.push(service.getItem(id))
        } catch (err) {
          if ((err as Error).name !== 'ItemNotFoundError') throw err
          missing.push(id)
        }
      }
      return c.json({ items, missing })
    })
}
