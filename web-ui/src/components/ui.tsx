/** Small building blocks shared by the screens: password input with reveal, strength meter, copy button. */
import { useId, useState } from 'preact/hooks'
import type { ComponentChildren, InputHTMLAttributes } from 'preact'
import { Icon } from './Icon.js'
import { strengthText, type StrengthVerdict } from '../strength.js'
import { useStrength } from './useStrength.js'
import { copyText } from '../clipboard.js'
import { toast, messageOf } from '../toast.js'

interface PasswordInputProps {
  label: string
  value: string
  onInput: (value: string) => void
  testId?: string
  autoComplete?: string
  autoFocus?: boolean
  required?: boolean
  describedBy?: string
  name?: string
}

/** A password input with a show/hide toggle. */
export function PasswordInput({
  label,
  value,
  onInput,
  testId,
  autoComplete = 'current-password',
  autoFocus,
  required,
  describedBy,
  name
}: PasswordInputProps) {
  const id = useId()
  const [shown, setShown] = useState(false)
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="input-with-button">
        <input
          id={id}
          name={name}
          type={shown ? 'text' : 'password'}
          value={value}
          data-testid={testId}
          autoComplete={autoComplete}
          autoFocus={autoFocus}
          required={required}
          aria-describedby={describedBy}
          spellcheck={false}
          autoCapitalize="off"
          onInput={e => onInput(e.currentTarget.value)}
        />
        <button type="button" class="icon-button" aria-pressed={shown} onClick={() => setShown(!shown)} title={shown ? 'Hide' : 'Show'}>
          <Icon name={shown ? 'eyeOff' : 'eye'} label={shown ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`} />
        </button>
      </div>
    </div>
  )
}

/** The strength meter with the daemon's verdict for `password` (useStrength). */
export function StrengthMeter({ password, id }: { password: string; id?: string }) {
  return <StrengthBar password={password} id={id} verdict={useStrength(password)} />
}

/** Five-step strength bar with a text label (the label, not the colour, carries the meaning); `verdict` undefined while it is asked. */
export function StrengthBar({ password, id, verdict: s }: { password: string; id?: string; verdict: StrengthVerdict | undefined }) {
  return (
    <div class={`strength score-${password === '' || s === undefined ? 'none' : s.score}`} id={id} data-testid="strength">
      <div class="strength-bar" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
        <span />
      </div>
      <span class="strength-label" aria-live="polite">
        {password === '' ? 'Use at least 8 characters; a few random words work well' : s === undefined ? 'Checking…' : strengthText(s)}
      </span>
    </div>
  )
}

/** Copies a value; secrets are cleared from the clipboard after 30 seconds. */
export function CopyButton({
  value,
  what,
  secret = true,
  testId
}: {
  value: string | (() => Promise<string>)
  what: string
  secret?: boolean
  testId?: string
}) {
  const copy = async (): Promise<void> => {
    try {
      await copyText(typeof value === 'string' ? value : await value(), secret)
      toast(secret ? `${what} copied; the clipboard clears in 30 s` : `${what} copied`)
    } catch (err) {
      toast(`Could not copy: ${messageOf(err)}`, 'error')
    }
  }
  return (
    <button
      type="button"
      class="icon-button"
      onClick={() => {
        void copy()
      }}
      data-testid={testId}
      title={`Copy ${what.toLowerCase()}`}
    >
      <Icon name="copy" label={`Copy ${what.toLowerCase()}`} />
    </button>
  )
}

/** A labelled text input. */
export function TextField({
  label,
  value,
  onInput,
  testId,
  ...rest
}: { label: string; value: string; onInput: (v: string) => void; testId?: string } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onInput'
>) {
  const id = useId()
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} value={value} data-testid={testId} onInput={e => onInput(e.currentTarget.value)} {...rest} />
    </div>
  )
}

/** A button that asks to be clicked a second time before it acts (no modal dialogs). */
export function ConfirmButton({
  children,
  confirmText,
  onConfirm,
  class: cls = 'button danger',
  testId
}: {
  children: ComponentChildren
  confirmText: string
  onConfirm: () => void
  class?: string
  testId?: string
}) {
  const [armed, setArmed] = useState(false)
  return (
    <button
      type="button"
      class={cls}
      data-testid={testId}
      aria-live="polite"
      onClick={() => {
        if (armed) {
          setArmed(false)
          onConfirm()
          return
        }
        setArmed(true)
        setTimeout(() => setArmed(false), 4000)
      }}
    >
      {armed ? confirmText : children}
    </button>
  )
}
