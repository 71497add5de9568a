/** The password generator: length and character classes; the daemon's CSPRNG makes the password. */
import { useEffect, useId, useState } from 'preact/hooks'
import { api } from '../api.js'
import { GENERATOR_DEFAULTS } from '../generatorDefaults.js'
import type { GeneratorOptions } from '../types.js'
import { messageOf } from '../toast.js'
import { Icon } from './Icon.js'

export function Generator({ onUse, onClose }: { onUse: (password: string) => void; onClose: () => void }) {
  const [options, setOptions] = useState<GeneratorOptions>(GENERATOR_DEFAULTS)
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const lengthId = useId()

  useEffect(() => {
    let stale = false
    api.generate(options).then(
      r => {
        if (!stale) {
          setPassword(r.password)
          setError(undefined)
        }
      },
      err => {
        if (!stale) setError(messageOf(err))
      }
    )
    return () => {
      stale = true
    }
  }, [options])

  const toggle = (key: 'lower' | 'upper' | 'digits' | 'symbols', label: string) => (
    <label class="check">
      <input
        type="checkbox"
        checked={options[key]}
        data-testid={`gen-${key}`}
        onChange={e => {
          const next = { ...options, [key]: e.currentTarget.checked }
          if (next.lower || next.upper || next.digits || next.symbols) setOptions(next)
          else e.currentTarget.checked = true
        }}
      />
      {label}
    </label>
  )

  return (
    <div class="generator" role="group" aria-label="Password generator" data-testid="generator">
      <div class="generator-preview">
        <output data-testid="generated-password" aria-live="polite">
          {password}
        </output>
        <button type="button" class="icon-button" onClick={() => setOptions({ ...options })} title="Another one" data-testid="regenerate">
          <Icon name="refresh" label="Generate another" />
        </button>
      </div>
      <div class="generator-options">
        <label for={lengthId}>
          Length <strong>{options.length}</strong>
        </label>
        <input
          id={lengthId}
          type="range"
          min={8}
          max={64}
          value={options.length}
          data-testid="gen-length"
          onInput={e => setOptions({ ...options, length: Number(e.currentTarget.value) })}
        />
        {toggle('lower', 'a–z')}
        {toggle('upper', 'A–Z')}
        {toggle('digits', '0–9')}
        {toggle('symbols', '!#$')}
      </div>
      {error !== undefined && <p class="error">{error}</p>}
      <div class="generator-actions">
        <button type="button" class="button primary" data-testid="use-password" disabled={password === ''} onClick={() => onUse(password)}>
          Use this password
        </button>
        <button type="button" class="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  )
}
