/**
 * One item, shown and edited in place: every field is an input that reads like text until you
 * change it, with reveal and copy beside it, the one-time code counting down, several URLs, custom
 * fields, folder, tags and notes. Save sends only the fields changed here, so an edit made meanwhile
 * on another device to another field is kept; such remote changes also flow into the fields not
 * being edited. A new item uses the same screen.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { api } from '../api.js'
import type { CustomField, Item, ItemInput, VaultInfo } from '../types.js'
import { hueClass, safeHref, timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { ConfirmButton, CopyButton, StrengthMeter } from './ui.js'
import { Generator } from './Generator.js'
import { Totp } from './Totp.js'

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

type DraftKey = keyof Draft
const KEYS: DraftKey[] = ['vault', 'title', 'username', 'password', 'urls', 'totp', 'folder', 'tags', 'favorite', 'notes', 'fields']
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

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

/** What the API takes for a draft's field. */
function inputOf (d: Draft): Required<Omit<ItemInput, 'trashed' | 'vault'>> {
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

/** The API fields this draft changed compared with the draft it started from. */
function patchOf (draft: Draft, base: Draft): ItemInput {
  const now = inputOf(draft) as Record<string, unknown>
  const before = inputOf(base) as Record<string, unknown>
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(now)) if (!same(now[key], before[key])) patch[key] = now[key]
  return patch as ItemInput
}

function Row ({ label, htmlFor, children }: { label: ComponentChildren, htmlFor?: string, children: ComponentChildren }) {
  return (
    <div class='view-row'>
      <dt>{htmlFor !== undefined ? <label for={htmlFor}>{label}</label> : label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

/** A secret input with reveal and copy (passwords, hidden custom fields). */
function SecretInput ({ id, value, onInput, label, testId, revealId, copyId, disabled }: { id: string, value: string, onInput: (v: string) => void, label: string, testId?: string, revealId?: string, copyId?: string, disabled?: boolean }) {
  const [shown, setShown] = useState(false)
  return (
    <div class='secret'>
      <input id={id} class='inline-input mono' type={shown ? 'text' : 'password'} value={value} data-testid={testId} autoComplete='new-password'
        spellcheck={false} autoCapitalize='off' disabled={disabled} placeholder='—' onInput={e => onInput(e.currentTarget.value)} />
      <button type='button' class='icon-button' aria-pressed={shown} data-testid={revealId} onClick={() => setShown(!shown)} title={shown ? 'Hide' : 'Reveal'}>
        <Icon name={shown ? 'eyeOff' : 'eye'} label={shown ? `Hide ${label.toLowerCase()}` : `Reveal ${label.toLowerCase()}`} />
      </button>
      <CopyButton value={value} what={label} testId={copyId} />
    </div>
  )
}

interface ItemDetailProps {
  /** absent for a new item */
  item?: Item
  vaults: VaultInfo[]
  defaultVault: string
  folders: string[]
  /** put the cursor in the title (new item, or #/item/ID/edit) */
  focusTitle?: boolean
  onSaved: (item: Item) => void
  onRemoved: (id: string) => void
  onCancel: () => void
}

export function ItemDetail ({ item, vaults, defaultVault, folders, focusTitle = false, onSaved, onRemoved, onCancel }: ItemDetailProps) {
  const initialVault = defaultVault !== '' ? defaultVault : vaults[0]?.name ?? 'Personal'
  const [base, setBase] = useState(() => draftOf(item, initialVault))
  const [draft, setDraft] = useState(base)
  const [generator, setGenerator] = useState(false)
  const [editTotp, setEditTotp] = useState(false)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const titleRef = useRef<HTMLInputElement>(null)
  const ids = { title: useId(), vault: useId(), username: useId(), password: useId(), totp: useId(), url: useId(), notes: useId(), folder: useId(), tags: useId(), folders: useId() }
  const isNew = item === undefined
  const trashed = item?.trashed === true
  const dirty = useMemo(() => Object.keys(patchOf(draft, base)).length > 0 || (isNew && draft.vault !== base.vault), [draft, base, isNew])
  const set = <K extends DraftKey>(key: K, value: Draft[K]): void => setDraft(d => ({ ...d, [key]: value }))

  // a change from elsewhere: take it into every field not being edited here, and rebase on it
  useEffect(() => {
    if (item === undefined) return
    const next = draftOf(item, initialVault)
    setBase(oldBase => {
      setDraft(d => {
        const merged = { ...d }
        for (const key of KEYS) if (same(d[key], oldBase[key])) (merged as Record<string, unknown>)[key] = next[key]
        return merged
      })
      return next
    })
  }, [item])

  useEffect(() => { if (focusTitle || isNew) titleRef.current?.focus() }, [])

  const act = async (what: () => Promise<unknown>, done?: string): Promise<void> => {
    try { await what(); if (done !== undefined) toast(done) } catch (err) { toast(messageOf(err), 'error') }
  }

  const save = async (e?: Event): Promise<void> => {
    e?.preventDefault()
    if (busy || trashed) return
    if (draft.title.trim() === '') { setError('Give the item a title.'); titleRef.current?.focus(); return }
    setError(undefined)
    if (!isNew && !dirty) { toast('Nothing to save'); return }
    setBusy(true)
    try {
      if (isNew) {
        const created = await api.createItem({ ...inputOf(draft), vault: draft.vault })
        toast(`Saved “${created.item.title}”`)
        onSaved(created.item)
      } else {
        const saved = await api.updateItem(item.id, patchOf(draft, base))
        toast(`Saved “${saved.title}”`)
        onSaved(saved)
      }
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  const revert = (): void => { setDraft(base); setError(undefined); setGenerator(false); setEditTotp(false) }

  const onKeyDown = (e: KeyboardEvent): void => {
    if ((e.key === 's' || e.key === 'Enter') && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void save(); return }
    if (e.key === 'Escape' && !generator) {
      e.preventDefault()
      if (isNew) onCancel()
      else if (dirty) revert()
      else (e.target as HTMLElement).blur?.()
    }
  }

  const toggleFavorite = (): void => {
    if (isNew) { set('favorite', !draft.favorite); return }
    void act(async () => onSaved(await api.updateItem(item.id, { favorite: !item.favorite })))
  }
  const setUrl = (i: number, value: string): void => set('urls', draft.urls.map((u, j) => j === i ? value : u))
  const setField = (i: number, patch: Partial<CustomField>): void => set('fields', draft.fields.map((f, j) => j === i ? { ...f, ...patch } : f))
  const showTotpInput = isNew || editTotp || (item?.totp ?? null) === null

  return (
    <form class={`item-detail${dirty ? ' dirty' : ''}`} onSubmit={e => { void save(e) }} onKeyDown={onKeyDown} data-testid={isNew ? 'item-form' : 'item-view'}
      aria-label={isNew ? 'New item' : item.title}>
      <header class='view-header'>
        <span class={`avatar large ${hueClass(draft.title)}`} aria-hidden='true'>{(draft.title.trim()[0] ?? '+').toUpperCase()}</span>
        <div class='view-heading'>
          <label for={ids.title} class='visually-hidden'>Title</label>
          <input id={ids.title} ref={titleRef} class='inline-input title-input' data-testid='field-title' value={draft.title} placeholder={isNew ? 'Title, e.g. GitHub' : 'Title'}
            autoComplete='off' disabled={trashed} onInput={e => set('title', e.currentTarget.value)} />
          <p class='muted'>
            {isNew && vaults.length > 1
              ? <><label for={ids.vault}>Vault</label>{' '}
                <select id={ids.vault} class='inline-select' value={draft.vault} onChange={e => set('vault', e.currentTarget.value)} data-testid='field-vault'>
                  {vaults.map(v => <option key={v.id} value={v.name}>{v.name}</option>)}
                </select></>
              : draft.vault}
            {!isNew && draft.folder !== '' && <> · <Icon name='folder' /> {draft.folder}</>}
            {trashed && <> · in the trash</>}
          </p>
        </div>
        <div class='view-actions'>
          {!trashed && (
            <button type='button' class={`icon-button star${draft.favorite ? ' on' : ''}`} aria-pressed={draft.favorite} data-testid='favorite' onClick={toggleFavorite} title='Favourite'>
              <Icon name='star' label={draft.favorite ? 'Remove from favourites' : 'Add to favourites'} />
            </button>
          )}
          {!isNew && !trashed && (
            <button type='button' class='button' data-testid='trash-item' onClick={() => { void act(async () => { await api.trashItem(item.id); onSaved({ ...item, trashed: true }) }, `Moved “${item.title}” to the trash`) }}>
              <Icon name='trash' /> Trash
            </button>
          )}
          {trashed && (
            <>
              <button type='button' class='button' data-testid='restore-item' onClick={() => { void act(async () => onSaved(await api.restoreItem(item.id)), `Restored “${item.title}”`) }}><Icon name='restore' /> Restore</button>
              <ConfirmButton testId='purge-item' confirmText='Click again to delete for good' onConfirm={() => { void act(async () => { await api.purgeItem(item.id); onRemoved(item.id) }, `Deleted “${item.title}” for good`) }}><Icon name='trash' /> Delete for good</ConfirmButton>
            </>
          )}
        </div>
      </header>

      <fieldset class='plain' disabled={trashed}>
        <dl class='view-fields'>
          <Row label='Username' htmlFor={ids.username}>
            <div class='secret'>
              <input id={ids.username} class='inline-input' data-testid='field-username' value={draft.username} placeholder='—' autoComplete='off' spellcheck={false} autoCapitalize='off'
                onInput={e => set('username', e.currentTarget.value)} />
              <CopyButton value={draft.username} what='Username' secret={false} testId='copy-username' />
            </div>
          </Row>
          <Row label='Password' htmlFor={ids.password}>
            <SecretInput id={ids.password} value={draft.password} onInput={v => set('password', v)} label='Password' testId='field-password' revealId='reveal-password' copyId='copy-password' />
            {draft.password !== base.password && draft.password !== '' && <StrengthMeter password={draft.password} />}
            {generator
              ? <Generator onUse={p => { set('password', p); setGenerator(false) }} onClose={() => setGenerator(false)} />
              : <button type='button' class='link-button' data-testid='open-generator' onClick={() => setGenerator(true)}><Icon name='key' /> Generate a password</button>}
          </Row>
          <Row label='One-time code' htmlFor={showTotpInput ? ids.totp : undefined}>
            {!showTotpInput && item?.totp != null && same(draft.totp, base.totp)
              ? <div class='secret'><Totp uri={item.totp} /><button type='button' class='icon-button' onClick={() => setEditTotp(true)} title='Change the secret'><Icon name='edit' label='Change the one-time code secret' /></button></div>
              : <input id={ids.totp} class='inline-input mono' data-testid='field-totp' value={draft.totp} placeholder='otpauth://totp/… or a base32 secret' spellcheck={false} autoComplete='off' autoCapitalize='off'
                  onInput={e => set('totp', e.currentTarget.value)} />}
          </Row>
          <Row label={draft.urls.length > 1 ? 'Websites' : 'Website'} htmlFor={ids.url}>
            <ul class='url-list'>
              {draft.urls.map((url, i) => {
                const href = safeHref(url.trim())
                return (
                  <li key={i}>
                    <input id={i === 0 ? ids.url : undefined} type='url' inputMode='url' class='inline-input' value={url} placeholder='https://example.com'
                      aria-label={i === 0 ? undefined : `Website address ${i + 1}`} data-testid={i === 0 ? 'field-url' : 'field-url-extra'} spellcheck={false} autoCapitalize='off'
                      onInput={e => setUrl(i, e.currentTarget.value)} />
                    {href !== undefined && url.trim() !== '' && (
                      <a class='icon-button' href={href} target='_blank' rel='noopener noreferrer' title={`Open ${url}`}><Icon name='link' label={`Open ${url}`} /></a>
                    )}
                    {url.trim() !== '' && <CopyButton value={url.trim()} what='Address' secret={false} />}
                    {draft.urls.length > 1 && (
                      <button type='button' class='icon-button' onClick={() => set('urls', draft.urls.filter((_, j) => j !== i))}><Icon name='close' label={`Remove address ${i + 1}`} /></button>
                    )}
                  </li>
                )
              })}
            </ul>
            <button type='button' class='link-button' data-testid='add-url' onClick={() => set('urls', [...draft.urls, ''])}><Icon name='plus' /> Add another address</button>
          </Row>
          {draft.fields.map((f, i) => (
            <div class='view-row custom-field' key={i}>
              <dt><input class='inline-input field-name' value={f.name} aria-label={`Field ${i + 1} name`} placeholder='Field name' data-testid='custom-name' onInput={e => setField(i, { name: e.currentTarget.value })} /></dt>
              <dd>
                {f.hidden
                  ? <SecretInput id={`${ids.folder}-f${i}`} value={f.value} onInput={v => setField(i, { value: v })} label={f.name === '' ? `Field ${i + 1}` : f.name} testId='custom-value' />
                  : (
                    <div class='secret'>
                      <input class='inline-input' value={f.value} aria-label={`Field ${i + 1} value`} placeholder='Value' data-testid='custom-value' autoComplete='off' onInput={e => setField(i, { value: e.currentTarget.value })} />
                      <CopyButton value={f.value} what={f.name === '' ? `Field ${i + 1}` : f.name} secret={false} />
                    </div>)}
                <div class='field-options'>
                  <label class='check small'><input type='checkbox' checked={f.hidden} data-testid='custom-hidden' onChange={e => setField(i, { hidden: e.currentTarget.checked })} /> Hidden</label>
                  <button type='button' class='link-button' onClick={() => set('fields', draft.fields.filter((_, j) => j !== i))}>Remove field</button>
                </div>
              </dd>
            </div>
          ))}
          <Row label='Notes' htmlFor={ids.notes}>
            <textarea id={ids.notes} class='inline-input' rows={Math.min(12, Math.max(2, draft.notes.split('\n').length))} value={draft.notes} data-testid='field-notes' placeholder='—'
              onInput={e => set('notes', e.currentTarget.value)} />
          </Row>
          <Row label='Folder' htmlFor={ids.folder}>
            <input id={ids.folder} class='inline-input' value={draft.folder} data-testid='field-folder' list={ids.folders} placeholder='e.g. Work/Servers' autoComplete='off' onInput={e => set('folder', e.currentTarget.value)} />
            <datalist id={ids.folders}>{folders.map(f => <option key={f} value={f} />)}</datalist>
          </Row>
          <Row label='Tags' htmlFor={ids.tags}>
            <input id={ids.tags} class='inline-input' value={draft.tags} data-testid='field-tags' placeholder='comma, separated' autoComplete='off' onInput={e => set('tags', e.currentTarget.value)} />
          </Row>
        </dl>
        <button type='button' class='link-button add-field' data-testid='add-field' onClick={() => set('fields', [...draft.fields, { name: '', value: '', hidden: false }])}><Icon name='plus' /> Add a field (PIN, recovery code…)</button>
      </fieldset>

      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      {!trashed && (
        <div class='form-actions'>
          <button type='submit' class='button primary' data-testid='save' disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
          {isNew
            ? <button type='button' class='button' data-testid='cancel' onClick={onCancel}>Cancel</button>
            : <button type='button' class='button' data-testid='revert' disabled={!dirty} onClick={revert}>Undo changes</button>}
          <span class='hint'>{dirty ? 'Unsaved changes · ' : ''}Ctrl+S saves · Esc {isNew ? 'cancels' : 'undoes'}</span>
        </div>
      )}
      {!isNew && <p class='view-meta muted'>Changed {timeAgo(item.updatedAt)} · created {new Date(item.createdAt).toLocaleDateString()}</p>}
    </form>
  )
}
