/** An item's type in the item header: a picker (a new item's type, or changing a stored one's), a label in the trash. */
import { TYPE_LABELS, type ItemType } from '../itemTypes.js'

export function TypePicker({ type, editable, onChange }: { type: ItemType; editable: boolean; onChange: (type: ItemType) => void }) {
  if (!editable) return <span data-testid="item-type">{TYPE_LABELS[type]}</span>
  return (
    <select
      class="inline-select"
      aria-label="Type"
      data-testid="field-type"
      value={type}
      onChange={e => onChange(e.currentTarget.value as ItemType)}
    >
      {(Object.keys(TYPE_LABELS) as ItemType[]).map(t => (
        <option key={t} value={t}>
          {TYPE_LABELS[t]}
        </option>
      ))}
    </select>
  )
}
