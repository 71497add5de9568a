/**
 * The typed part of the item form (a chunk of its own, loaded when an item is first shown): a card's
 * holder, number, expiry and CVV; an identity's name, contact and address; an SSH key's keys and
 * fingerprint; and, for every item, its expiry date with "expired" / "expires soon".
 */
import { useState } from 'preact/hooks'
import type { Item } from '../types.js'
import type { Draft } from '../itemDraft.js'
import { sectionOf } from '../itemDraft.js'
import { expiryOf } from '../itemTypes.js'
import { FIELD_SPECS, type FieldSpec } from '../typedFieldSpecs.js'
import { Row, SecretInput } from './fields.js'
import { Icon } from './Icon.js'
import { CopyButton } from './ui.js'

interface TypedFieldsProps {
  draft: Draft
  idBase: string
  /** the stored SSH fingerprint, shown read-only */
  fingerprint?: string
  onDetails: (details: Record<string, string>) => void
  onExpires: (date: string) => void
}

function PlainInput({ id, spec, value, onInput }: { id: string; spec: FieldSpec; value: string; onInput: (v: string) => void }) {
  return (
    <div class="secret">
      <input
        id={id}
        class={`inline-input${spec.mono === true ? ' mono' : ''}`}
        value={value}
        placeholder="—"
        autoComplete="off"
        spellcheck={false}
        data-testid={`typed-${spec.name}`}
        onInput={e => onInput(e.currentTarget.value)}
      />
      <CopyButton value={value} what={spec.label} secret={false} />
    </div>
  )
}

/** A multi-line secret (an SSH private key): hidden until revealed, copyable either way. */
function SecretText({ id, spec, value, onInput }: { id: string; spec: FieldSpec; value: string; onInput: (v: string) => void }) {
  const [shown, setShown] = useState(value === '')
  return (
    <div class="secret">
      {shown ? (
        <textarea
          id={id}
          class="inline-input mono"
          rows={Math.min(10, Math.max(3, value.split('\n').length))}
          value={value}
          spellcheck={false}
          data-testid={`typed-${spec.name}`}
          onInput={e => onInput(e.currentTarget.value)}
        />
      ) : (
        <span class="muted">{value.split('\n').length} lines, hidden</span>
      )}
      <button type="button" class="icon-button" aria-pressed={shown} onClick={() => setShown(!shown)} title={shown ? 'Hide' : 'Reveal'}>
        <Icon name={shown ? 'eyeOff' : 'eye'} label={shown ? `Hide ${spec.label.toLowerCase()}` : `Reveal ${spec.label.toLowerCase()}`} />
      </button>
      <CopyButton value={value} what={spec.label} />
    </div>
  )
}

export function TypedFields({ draft, idBase, fingerprint, onDetails, onExpires }: TypedFieldsProps) {
  const section = sectionOf(draft.type)
  const set = (name: string, value: string): void => onDetails({ ...draft.details, [name]: value })
  const card = draft.type === 'card' ? (draft.details as unknown as Item['card']) : undefined
  const expiry = expiryOf({ expiresAt: draft.expiresAt === '' ? null : `${draft.expiresAt}T00:00:00Z`, card })
  const rows = section === undefined ? [] : FIELD_SPECS[section]
  return (
    <>
      {rows.map(spec => {
        const id = `${idBase}-${spec.name}`
        const value = draft.details[spec.name] ?? ''
        const input = (v: string): void => set(spec.name, v)
        if (spec.name === 'expMonth') {
          return (
            <Row key="expiry" label="Expiry" htmlFor={id}>
              <div class="card-expiry">
                <input
                  id={id}
                  class="inline-input"
                  inputMode="numeric"
                  maxLength={2}
                  placeholder="MM"
                  aria-label="Expiry month"
                  data-testid="typed-expMonth"
                  value={value}
                  onInput={e => input(e.currentTarget.value)}
                />
                /
                <input
                  class="inline-input"
                  inputMode="numeric"
                  maxLength={4}
                  placeholder="YYYY"
                  aria-label="Expiry year"
                  data-testid="typed-expYear"
                  value={draft.details.expYear ?? ''}
                  onInput={e => set('expYear', e.currentTarget.value)}
                />
              </div>
            </Row>
          )
        }
        if (spec.name === 'expYear') return null
        return (
          <Row key={spec.name} label={spec.label} htmlFor={spec.multiline === true && spec.hidden ? undefined : id}>
            {spec.multiline === true && spec.hidden ? (
              <SecretText id={id} spec={spec} value={value} onInput={input} />
            ) : spec.hidden ? (
              <SecretInput id={id} value={value} onInput={input} label={spec.label} testId={`typed-${spec.name}`} />
            ) : (
              <PlainInput id={id} spec={spec} value={value} onInput={input} />
            )}
          </Row>
        )
      })}
      {draft.type === 'sshKey' && fingerprint !== undefined && fingerprint !== '' && (
        <Row label="Fingerprint">
          <div class="secret">
            <code data-testid="typed-fingerprint">{fingerprint}</code>
            <CopyButton value={fingerprint} what="Fingerprint" secret={false} />
          </div>
        </Row>
      )}
      <Row label="Expires" htmlFor={`${idBase}-expires`}>
        <div class="secret">
          <input
            id={`${idBase}-expires`}
            type="date"
            class="inline-input"
            value={draft.expiresAt}
            data-testid="field-expires"
            onInput={e => onExpires(e.currentTarget.value)}
          />
          {expiry !== undefined && (
            <span class={`badge ${expiry === 'expired' ? 'warn' : 'soon'}`} data-testid="expiry-state">
              {expiry === 'expired' ? 'Expired' : 'Expires soon'}
            </span>
          )}
        </div>
      </Row>
    </>
  )
}
