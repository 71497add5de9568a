/**
 * The generator's panel (a chunk of its own, see Generator.tsx): a password (length and character classes) or a passphrase (random words from the
 * EFF large wordlist, a separator, capitals or not); the daemon's CSPRNG makes either.
 */
import { useEffect, useId, useState } from 'preact/hooks'
import { api } from '../api.js'
import { GENERATOR_DEFAULTS } from '../generatorDefaults.js'
import type { GeneratorOptions, PassphraseOptions } from '../types.js'
import { messageOf } from '../toast.js'
import { Icon } from './Icon.js'

const PASSPHRASE_DEFAULTS: PassphraseOptions = { words: 6, separator: '-', capitalize: false }
const SEPARATORS: Array<[string, string]> = [
  ['-', 'Hyphen ( - )'],
  [' ', 'Space'],
  ['.', 'Period ( . )'],
  ['_', 'Underscore ( _ )'],
  [',', 'Comma ( , )'],
  ['digit', 'A random digit']
]

export function GeneratorPanel({ onUse, onClose }: { onUse: (password: string) => void; onClose: () => void }) {
  const [kind, setKind] = useState<'password' | 'passphrase'>('password')
  const [options, setOptions] = useState<GeneratorOptions>(GENERATOR_DEFAULTS)
  const [phrase, setPhrase] = useState<PassphraseOptions>(PASSPHRASE_DEFAULTS)
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const lengthId = useId()
  const wordsId = useId()
  const separatorId = useId()

  useEffect(() => {
    let stale = false
    const made = kind === 'password' ? api.generate(options) : api.passphrase(phrase)
    made.then(
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
  }, [kind, options, phrase])

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
      <div class="segmented generator-kind" role="group" aria-label="What to generate">
        <button type="button" data-testid="gen-kind-password" aria-pressed={kind === 'password'} onClick={() => setKind('password')}>
          Characters
        </button>
        <button type="button" data-testid="gen-kind-passphrase" aria-pressed={kind === 'passphrase'} onClick={() => setKind('passphrase')}>
          Words
        </button>
      </div>
      <div class="generator-preview">
        <output data-testid="generated-password" aria-live="polite">
          {password}
        </output>
        <button
          type="button"
          class="icon-button"
          onClick={() => (kind === 'password' ? setOptions({ ...options }) : setPhrase({ ...phrase }))}
          title="Another one"
          data-testid="regenerate"
        >
          <Icon name="refresh" label="Generate another" />
        </button>
      </div>
      {kind === 'password' ? (
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
      ) : (
        <div class="generator-options">
          <label for={wordsId}>
            Words <strong>{phrase.words}</strong>
          </label>
          <input
            id={wordsId}
            type="range"
            min={3}
            max={12}
            value={phrase.words}
            data-testid="gen-words"
            onInput={e => setPhrase({ ...phrase, words: Number(e.currentTarget.value) })}
          />
          <label for={separatorId}>Separator</label>
          <select
            id={separatorId}
            value={phrase.separator}
            data-testid="gen-separator"
            onChange={e => setPhrase({ ...phrase, separator: e.currentTarget.value })}
          >
            {SEPARATORS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <label class="check">
            <input
              type="checkbox"
              checked={phrase.capitalize}
              data-testid="gen-capitalize"
              onChange={e => setPhrase({ ...phrase, capitalize: e.currentTarget.checked })}
            />
            Capitals
          </label>
        </div>
      )}
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
