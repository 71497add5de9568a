/**
 * Create or edit an item: title, username, password (with generator and strength), several URLs,
 * one-time code secret, folder, tags, favourite, notes and custom fields. An edit sends only the
 * fields that changed, so concurrent edits on other devices to other fields are kept.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { CustomField, Item, ItemInput, VaultInfo } from '../types.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { PasswordInput, StrengthMeter, TextField } from './ui.js'
import { Generator } from './Generator.js'

interface Draft {
  vault: string
  title: string
  username: string
  password: string
  urls: string[]
  totp: string
  folder: string
  tags: string
  favorite: boolean
  notes: string
  fields: CustomField[]
}

function draftOf (item: Item | undefined, vault: string): Draft {
  return {
    vault: item?.vault ?? vault,
    title: item?.title ?? '',
    username: item?.username ?? '',
    password: item?.password ?? '',
    urls: item === undefined || item.urls.length === 0 ? [''] : [...item.urls],
    totp: item?.totp ?? '',
    folder: item?.folder ?? '',
    tags: item?.tags.join(', ') ?? '',
    favorite: item?.favorite ?? false,
    notes: item?.notes ?? '',
    fields: item?.fields.map(f => ({ ...f })) ?? []
  }
}

function inputOf (d: Draft): ItemInput {
  return {
    title: d.title.trim(),
    username: d.username,
    password: d.password,
    urls: d.urls.map(u => u.trim()).filter(u => u !== ''),
    totp: d.totp.trim() === '' ? null : d.totp.trim(),
    folder: d.folder.trim().replace(/^\/+|\/+$/g, ''),
    tags: [...new Set(d.tags.split(',').map(t => t.trim()).filter(t => t !== ''))],
    favorite: d.favorite,
    notes: d.notes,
    fields: d.fields.filter(f => f.name.trim() !== '' || f.value !== '').map(f => ({ name: f.name.trim(), value: f.value, hidden: f.hidden }))
  }
}

/** The fields of `next` that differ from the item. */
function changes (item: Item, next: ItemInput): ItemInput {
  const patch: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify((item as unknown as Record<string, unknown>)[key]) !== JSON.stringify(value)) patch[key] = value
  }
  return patch as ItemInput
}

interface ItemFormProps {
  item?: Item
  vaults: VaultInfo[]
  defaultVault: string
  folders: string[]
  onSaved: (item: Item) => void
  onCancel: () => void
}

export function ItemForm ({ item, vaults, defaultVault, folders, onSaved, onCancel }: ItemFormProps) {
  const [draft, setDraft] = useState(() => draftOf(item, defaultVault !== '' ? defaultVault : vaults[0]?.name ?? 'Personal'))
  const [generator, setGenerator] = useState(false)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const formRef = useRef<HTMLFormElement>(null)
  const ids = { vault: useId(), notes: useId(), folders: useId(), urls: useId() }
  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void => setDraft(d => ({ ...d, [key]: value }))

  useEffect(() => {
    (formRef.current?.querySelector('[data-testid="field-title"]') as HTMLInputElement | null)?.focus()
  }, [])

  const save = async (e?: Event): Promise<void> => {
    e?.preventDefault()
    if (busy) return
    if (draft.title.trim() === '') { setError('Give the item a title.'); return }
    setBusy(true)
    setError(undefined)
    try {
      const input = inputOf(draft)
      if (item === undefined) {
        const created = await api.createItem({ ...input, vault: draft.vault })
        toast(`Saved “${created.item.title}”`)
        onSaved(created.item)
      } else {
        const patch = changes(item, input)
        const saved = Object.keys(patch).length === 0 ? item : await api.updateItem(item.id, patch)
        toast(`Saved “${saved.title}”`)
        onSaved(saved)
      }
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && !generator) { e.preventDefault(); onCancel() }
    if ((e.key === 's' || e.key === 'Enter') && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void save() }
  }

  const setUrl = (i: number, value: string): void => set('urls', draft.urls.map((u, j) => j === i ? value : u))
  const setField = (i: number, patch: Partial<CustomField>): void => set('fields', draft.fields.map((f, j) => j === i ? { ...f, ...patch } : f))

  return (
    <form ref={formRef} class='item-form' onSubmit={e => { void save(e) }} onKeyDown={onKeyDown} aria-label={item === undefined ? 'New item' : `Edit ${item.title}`} data-testid='item-form'>
      <h2>{item === undefined ? 'New item' : `Edit “${item.title}”`}</h2>
      {item === undefined && vaults.length > 1 && (
        <div class='field'>
          <label for={ids.vault}>Vault</label>
          <select id={ids.vault} value={draft.vault} onChange={e => set('vault', e.currentTarget.value)} data-testid='field-vault'>
            {vaults.map(v => <option key={v.id} value={v.name}>{v.name}</option>)}
          </select>
        </div>
      )}
      <TextField label='Title' value={draft.title} onInput={v => set('title', v)} testId='field-title' required autoComplete='off' />
      <TextField label='Username' value={draft.username} onInput={v => set('username', v)} testId='field-username' autoComplete='off' spellcheck={false} autoCapitalize='off' />
      <PasswordInput label='Password' value={draft.password} onInput={v => set('password', v)} testId='field-password' autoComplete='new-password' />
      {draft.password !== '' && <StrengthMeter password={draft.password} />}
      {generator
        ? <Generator onUse={p => { set('password', p); setGenerator(false) }} onClose={() => setGenerator(false)} />
        : <button type='button' class='button subtle' data-testid='open-generator' onClick={() => setGenerator(true)}><Icon name='key' /> Generate a password</button>}

      <fieldset class='group'>
        <legend id={ids.urls}>Websites</legend>
        {draft.urls.map((url, i) => (
          <div class='row-input' key={i}>
            <input type='url' inputMode='url' value={url} aria-label={i === 0 ? 'Website address' : `Website address ${i + 1}`} placeholder='https://example.com'
              data-testid={i === 0 ? 'field-url' : 'field-url-extra'} spellcheck={false} autoCapitalize='off'
              onInput={e => setUrl(i, e.currentTarget.value)} />
            {draft.urls.length > 1 && (
              <button type='button' class='icon-button' onClick={() => set('urls', draft.urls.filter((_, j) => j !== i))}>
                <Icon name='close' label={`Remove address ${i + 1}`} />
              </button>
            )}
          </div>
        ))}
        <button type='button' class='button subtle' data-testid='add-url' onClick={() => set('urls', [...draft.urls, ''])}><Icon name='plus' /> Add another address</button>
      </fieldset>

      <TextField label='One-time code secret (TOTP)' value={draft.totp} onInput={v => set('totp', v)} testId='field-totp' placeholder='otpauth://totp/… or a base32 secret' spellcheck={false} autoComplete='off' autoCapitalize='off' />
      <div class='two-columns'>
        <TextField label='Folder' value={draft.folder} onInput={v => set('folder', v)} testId='field-folder' list={ids.folders} placeholder='e.g. Work/Servers' autoComplete='off' />
        <TextField label='Tags' value={draft.tags} onInput={v => set('tags', v)} testId='field-tags' placeholder='comma, separated' autoComplete='off' />
      </div>
      <datalist id={ids.folders}>{folders.map(f => <option key={f} value={f} />)}</datalist>
      <label class='check'>
        <input type='checkbox' checked={draft.favorite} data-testid='field-favorite' onChange={e => set('favorite', e.currentTarget.checked)} /> Favourite
      </label>

      <div class='field'>
        <label for={ids.notes}>Notes</label>
        <textarea id={ids.notes} rows={4} value={draft.notes} data-testid='field-notes' onInput={e => set('notes', e.currentTarget.value)} />
      </div>

      <fieldset class='group'>
        <legend>Custom fields</legend>
        {draft.fields.length === 0 && <p class='hint'>Add fields such as a PIN, a recovery code or an account number.</p>}
        {draft.fields.map((f, i) => (
          <div class='row-input custom-field' key={i}>
            <input value={f.name} aria-label={`Field ${i + 1} name`} placeholder='Name' data-testid='custom-name' onInput={e => setField(i, { name: e.currentTarget.value })} />
            <input value={f.value} type={f.hidden ? 'password' : 'text'} aria-label={`Field ${i + 1} value`} placeholder='Value' data-testid='custom-value' autoComplete='off'
              onInput={e => setField(i, { value: e.currentTarget.value })} />
            <label class='check small'><input type='checkbox' checked={f.hidden} data-testid='custom-hidden' onChange={e => setField(i, { hidden: e.currentTarget.checked })} /> Hidden</label>
            <button type='button' class='icon-button' onClick={() => set('fields', draft.fields.filter((_, j) => j !== i))}>
              <Icon name='close' label={`Remove field ${i + 1}`} />
            </button>
          </div>
        ))}
        <button type='button' class='button subtle' data-testid='add-field' onClick={() => set('fields', [...draft.fields, { name: '', value: '', hidden: false }])}><Icon name='plus' /> Add a field</button>
      </fieldset>

      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      <div class='form-actions'>
        <button type='submit' class='button primary' data-testid='save' disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        <button type='button' class='button' data-testid='cancel' onClick={onCancel}>Cancel</button>
        <span class='hint'>Ctrl+S saves · Esc cancels</span>
      </div>
    </form>
  )
}
