/** Reads a JSON object body with clear 400s for malformed JSON or a non-object. */
import type { Context } from 'hono'
import { HttpError } from './errors.js'

export async function readJson (c: Context): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_request', 'the request body must be a JSON object')
  return body as Record<string, unknown>
}

export function optionalString (body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new HttpError(400, 'invalid_request', `${key} must be a string`)
  return v
}

export function requiredString (body: Record<string, unknown>, key: string): string {
  const v = optionalString(body, key)
  if (v === undefined || v === '') throw new HttpError(400, 'invalid_request', `${key} is required`)
  return v
}
