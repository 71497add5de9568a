/** Carries Kith tags through formats that have no tags (Bitwarden JSON/CSV) as one custom field holding a JSON array. */
import type { CustomField } from '../vault/Item.js'

/** The custom field name that holds tags in Bitwarden exports written by Kith. */
export const TAGS_FIELD = 'kith.tags'

/** The field to add for `tags`, or null when there are none. */
export function tagsToField(tags: readonly string[]): CustomField | null {
  return tags.length === 0 ? null : { name: TAGS_FIELD, value: JSON.stringify(tags), hidden: false }
}

/** Splits a `kith.tags` field (JSON array) back out of `fields`; a field that is not a string array is left as it is. */
export function tagsFromFields(fields: CustomField[]): { fields: CustomField[]; tags: string[] } {
  const tags: string[] = []
  const rest: CustomField[] = []
  for (const f of fields) {
    if (f.name === TAGS_FIELD) {
      try {
        const v: unknown = JSON.parse(f.value)
        if (Array.isArray(v) && v.every(t => typeof t === 'string')) {
          tags.push(...v)
          continue
        }
      } catch {}
    }
    rest.push(f)
  }
  return { fields: rest, tags }
}
