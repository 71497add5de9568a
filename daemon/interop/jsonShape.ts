/** Typed reads of untrusted JSON values: strings, booleans, arrays and objects with a fallback, never a throw. */

/** The value as a plain object, or an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** The value as an array, or an empty one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** Strings as they are, numbers and booleans stringified, anything else ''. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  return ''
}

/** true, 1, "true" and "1" are true. */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1'
}
