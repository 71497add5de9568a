/** The item's custom fields: a name, a value (hidden ones with reveal), copy, hide and remove (not in the trash: readOnly). */
import type { CustomField } from '../types.js'
import { CopyButton } from './ui.js'
import { SecretInput } from './fields.js'

export function CustomFields({
  fields,
  idBase,
  onChange,
  readOnly = false
}: {
  fields: CustomField[]
  idBase: string
  onChange: (fields: CustomField[]) => void
  readOnly?: boolean
}) {
  const update = (i: number, patch: Partial<CustomField>): void => onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)))
  return (
    <>
      {fields.map((f, i) => (
        <div class="view-row custom-field" key={i}>
          <dt>
            <input
              class="inline-input field-name"
              value={f.name}
              aria-label={`Field ${i + 1} name`}
              placeholder="Field name"
              data-testid="custom-name"
              onInput={e => update(i, { name: e.currentTarget.value })}
            />
          </dt>
          <dd>
            {f.hidden ? (
              <SecretInput
                id={`${idBase}-f${i}`}
                value={f.value}
                onInput={v => update(i, { value: v })}
                label={f.name === '' ? `Field ${i + 1}` : f.name}
                testId="custom-value"
                ariaLabel={`Field ${i + 1} value`}
              />
            ) : (
              <div class="secret">
                <input
                  class="inline-input"
                  value={f.value}
                  aria-label={`Field ${i + 1} value`}
                  placeholder="Value"
                  data-testid="custom-value"
                  autoComplete="off"
                  onInput={e => update(i, { value: e.currentTarget.value })}
                />
                <CopyButton value={f.value} what={f.name === '' ? `Field ${i + 1}` : f.name} secret={false} />
              </div>
            )}
            {!readOnly && (
              <div class="field-options">
                <label class="check small">
                  <input
                    type="checkbox"
                    checked={f.hidden}
                    data-testid="custom-hidden"
                    onChange={e => update(i, { hidden: e.currentTarget.checked })}
                  />{' '}
                  Hidden
                </label>
                <button type="button" class="link-button" onClick={() => onChange(fields.filter((_, j) => j !== i))}>
                  Remove field
                </button>
              </div>
            )}
          </dd>
        </div>
      ))}
    </>
  )
}
