/** The pieces the item form is built of: a labelled row, and a secret input with reveal and copy. */
import { useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { Icon } from './Icon.js'
import { CopyButton } from './ui.js'

export function Row({
  label,
  htmlFor,
  hidden,
  children
}: {
  label: ComponentChildren
  htmlFor?: string
  /** kept in the form but not shown (a card's empty login fields) */
  hidden?: boolean
  children: ComponentChildren
}) {
  return (
    <div class="view-row" hidden={hidden}>
      <dt>{htmlFor !== undefined ? <label for={htmlFor}>{label}</label> : label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

/** A secret input with reveal and copy (passwords, hidden custom fields). */
export function SecretInput({
  id,
  value,
  onInput,
  label,
  testId,
  revealId,
  copyId,
  disabled,
  ariaLabel
}: {
  id: string
  value: string
  onInput: (v: string) => void
  label: string
  testId?: string
  revealId?: string
  copyId?: string
  disabled?: boolean
  /** the input's accessible name when no <label for> names it */
  ariaLabel?: string
}) {
  const [shown, setShown] = useState(false)
  return (
    <div class="secret">
      <input
        id={id}
        class="inline-input mono"
        type={shown ? 'text' : 'password'}
        value={value}
        data-testid={testId}
        autoComplete="new-password"
        spellcheck={false}
        autoCapitalize="off"
        disabled={disabled}
        aria-label={ariaLabel}
        placeholder="—"
        onInput={e => onInput(e.currentTarget.value)}
      />
      <button
        type="button"
        class="icon-button"
        aria-pressed={shown}
        data-testid={revealId}
        onClick={() => setShown(!shown)}
        title={shown ? 'Hide' : 'Reveal'}
      >
        <Icon name={shown ? 'eyeOff' : 'eye'} label={shown ? `Hide ${label.toLowerCase()}` : `Reveal ${label.toLowerCase()}`} />
      </button>
      <CopyButton value={value} what={label} testId={copyId} />
    </div>
  )
}
