/**
 * One item, shown and edited in place: every field is an input that reads like text until you
 * change it, with reveal and copy beside it, the one-time code counting down, several URLs, custom
 * fields, folder, tags, notes, and its files (Attachments). Save sends only the fields changed
 * here, so an edit made meanwhile on another device to another field is kept; such remote changes
 * also flow into the fields not being edited. A new item uses the same screen.
 */
import { useStartingPassword } from './useStartingPassword.js'
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { Item, VaultInfo } from '../types.js'
import { timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { CopyButton, StrengthMeter } from './ui.js'
import { Generator } from './Generator.js'
import { Totp } from './Totp.js'
import { Row, SecretInput } from './fields.js'
import { UrlList } from './UrlList.js'
import { CustomFields } from './CustomFields.js'
import { KEYS, draftOf, inputOf, patchOf, same, withType, type Draft, type DraftKey } from '../itemDraft.js'
import { setUnsavedEdit } from '../unsavedChanges.js'
import { ConflictNotice } from './ConflictNotice.js'
import { lazyComponent } from './lazyComponent.js'
import { ItemHeader } from './ItemHeader.js'

const TypedFields = lazyComponent(async () => (await import('./TypedFields.js')).TypedFields)

const ItemHistory = lazyComponent(async () => (await import('./ItemHistory.js')).ItemHistory)

const Attachments = lazyComponent(async () => (await import('./Attachments.js')).Attachments)

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

export function ItemDetail({ item, vaults, defaultVault, folders, focusTitle = false, onSaved, onRemoved, onCancel }: ItemDetailProps) {
  const initialVault = defaultVault !== '' ? defaultVault : (vaults[0]?.name ?? 'Personal')
  const [base, setBase] = useState(() => draftOf(item, initialVault))
  const [draft, setDraft] = useState(base)
  const [generator, setGenerator] = useState(false)
  const [editTotp, setEditTotp] = useState(false)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  /** fields changed on another device while being edited here: their value, until the person picks */
  const [conflicts, setConflicts] = useState<Partial<Draft>>({})
  const titleRef = useRef<HTMLInputElement>(null)
  const ids = {
    username: useId(),
    password: useId(),
    totp: useId(),
    url: useId(),
    notes: useId(),
    folder: useId(),
    tags: useId(),
    folders: useId(),
    typed: useId()
  }
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
        const clashes: Partial<Draft> = {}
        for (const key of KEYS) {
          if (same(d[key], oldBase[key])) (merged as Record<string, unknown>)[key] = next[key]
          // edited here and changed there to something else: show both, never overwrite either silently
          else if (!same(next[key], oldBase[key]) && !same(next[key], d[key])) (clashes as Record<string, unknown>)[key] = next[key]
        }
        if (Object.keys(clashes).length > 0) setConflicts(c => ({ ...c, ...clashes }))
        return merged
      })
      return next
    })
  }, [item])

  useEffect(() => {
    if (focusTitle || isNew) titleRef.current?.focus()
  }, [])
  // part of the starting point (base), so an untouched new item is not an unsaved change
  useStartingPassword(isNew, password => {
    setBase(b => (b.password === '' ? { ...b, password } : b))
    setDraft(d => (d.password === '' && (d.type === 'login' || d.type === 'other') ? { ...d, password } : d))
  })

  /** Saves the changed fields; false when nothing could be saved (the reason is shown). */
  const save = async (e?: Event): Promise<boolean> => {
    e?.preventDefault()
    if (busy || trashed) return false
    if (draft.title.trim() === '') {
      setError('Give the item a title.')
      titleRef.current?.focus()
      return false
    }
    if (Object.keys(conflicts).length > 0) {
      setError('A field you are editing was changed on another device: choose which value to keep first.')
      return false
    }
    setError(undefined)
    if (!isNew && !dirty) {
      toast('Nothing to save')
      return true
    }
    setBusy(true)
    try {
      if (isNew) {
        const created = await api.createItem({ ...inputOf(draft), vault: draft.vault })
        toast(`Saved “${created.item.title}”`)
        setUnsavedEdit(undefined)
        onSaved(created.item)
      } else {
        const sent = draft
        const saved = await api.updateItem(item.id, patchOf(draft, base))
        // rebase on what was saved now, not when the list catches up: a field typed into while the
        // save was under way stays as typed, the rest shows what was stored (`dropbox.com` as https)
        const stored = draftOf(saved, initialVault)
        setBase(stored)
        setDraft(d => {
          const merged = { ...d }
          for (const key of KEYS) if (same(d[key], sent[key])) (merged as Record<string, unknown>)[key] = stored[key]
          return merged
        })
        toast(`Saved “${saved.title}”`)
        setUnsavedEdit(undefined)
        onSaved(saved)
      }
      return true
    } catch (err) {
      setError(messageOf(err))
      return false
    } finally {
      setBusy(false)
    }
  }

  const revert = (): void => {
    setDraft(base)
    setConflicts({})
    setError(undefined)
    setGenerator(false)
    setEditTotp(false)
  }

  // while dirty, leaving this item (another item or screen, back, lock, reload) asks first
  const latest = useRef({ save, revert })
  latest.current = { save, revert }
  const what = draft.title.trim() === '' ? 'this new item' : `“${draft.title.trim()}”`
  useEffect(() => {
    setUnsavedEdit(dirty ? { what, save: async () => await latest.current.save(), discard: () => latest.current.revert() } : undefined)
  }, [dirty, what])
  useEffect(() => () => setUnsavedEdit(undefined), [])

  const onKeyDown = (e: KeyboardEvent): void => {
    if ((e.key === 's' || e.key === 'Enter') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault()
      void save()
      return
    }
    if (e.key === 'Escape' && !generator) {
      e.preventDefault()
      if (isNew) onCancel()
      else if (dirty) revert()
      else (e.target as HTMLElement).blur?.()
    }
  }

  const showTotpInput = isNew || editTotp || (item?.totp ?? null) === null
  // a note, card, identity or SSH key shows the login rows only when it has something in them
  const noLogin =
    draft.type !== 'login' &&
    draft.type !== 'other' &&
    draft.username === '' &&
    draft.password === '' &&
    draft.totp === '' &&
    draft.urls.every(u => u === '')

  return (
    <form
      class={`item-detail${dirty ? ' dirty' : ''}`}
      onSubmit={e => {
        void save(e)
      }}
      onKeyDown={onKeyDown}
      data-testid={isNew ? 'item-form' : 'item-view'}
      aria-label={isNew ? 'New item' : item.title}
    >
      <ItemHeader
        item={item}
        draft={draft}
        vaults={vaults}
        titleRef={titleRef}
        set={set}
        onType={type => setDraft(d => withType(d, type, isNew ? base.password : undefined))}
        onSaved={onSaved}
        onRemoved={onRemoved}
      />

      <ConflictNotice
        conflicts={conflicts}
        mine={draft}
        choose={(key, theirs) => {
          if (theirs) set(key, conflicts[key] as Draft[typeof key])
          setConflicts(c => {
            const rest = { ...c }
            delete rest[key]
            return rest
          })
        }}
      />
      <fieldset class="plain" disabled={trashed}>
        <dl class="view-fields">
          <Row label="Username" htmlFor={ids.username} hidden={noLogin}>
            <div class="secret">
              <input
                id={ids.username}
                class="inline-input"
                data-testid="field-username"
                value={draft.username}
                placeholder="—"
                autoComplete="off"
                spellcheck={false}
                autoCapitalize="off"
                onInput={e => set('username', e.currentTarget.value)}
              />
              <CopyButton value={draft.username} what="Username" secret={false} testId="copy-username" />
            </div>
          </Row>
          <Row label="Password" htmlFor={ids.password} hidden={noLogin}>
            <SecretInput
              id={ids.password}
              value={draft.password}
              onInput={v => set('password', v)}
              label="Password"
              testId="field-password"
              revealId="reveal-password"
              copyId="copy-password"
            />
            {draft.password !== base.password && draft.password !== '' && <StrengthMeter password={draft.password} />}
            {trashed ? null : generator ? (
              <Generator
                onUse={p => {
                  set('password', p)
                  setGenerator(false)
                }}
                onClose={() => setGenerator(false)}
              />
            ) : (
              <button type="button" class="link-button" data-testid="open-generator" onClick={() => setGenerator(true)}>
                <Icon name="key" /> Generate a password
              </button>
            )}
          </Row>
          <Row label="One-time code" htmlFor={showTotpInput ? ids.totp : undefined} hidden={noLogin}>
            {!showTotpInput && item?.totp != null && same(draft.totp, base.totp) ? (
              <div class="secret">
                <Totp uri={item.totp} />
                <button type="button" class="icon-button" onClick={() => setEditTotp(true)} title="Change the secret">
                  <Icon name="edit" label="Change the one-time code secret" />
                </button>
              </div>
            ) : (
              <input
                id={ids.totp}
                class="inline-input mono"
                data-testid="field-totp"
                value={draft.totp}
                placeholder="otpauth://totp/… or a base32 secret"
                spellcheck={false}
                autoComplete="off"
                autoCapitalize="off"
                onInput={e => set('totp', e.currentTarget.value)}
              />
            )}
          </Row>
          <UrlList urls={draft.urls} firstId={ids.url} onChange={urls => set('urls', urls)} readOnly={trashed} hidden={noLogin} />
          <TypedFields
            draft={draft}
            idBase={ids.typed}
            fingerprint={item?.sshKey?.fingerprint}
            onDetails={details => set('details', details)}
            onExpires={date => set('expiresAt', date)}
          />
          <CustomFields fields={draft.fields} idBase={ids.folder} onChange={fields => set('fields', fields)} readOnly={trashed} />
          <Row label="Notes" htmlFor={ids.notes}>
            <textarea
              id={ids.notes}
              class="inline-input"
              rows={Math.min(12, Math.max(2, draft.notes.split('\n').length))}
              value={draft.notes}
              data-testid="field-notes"
              placeholder="—"
              onInput={e => set('notes', e.currentTarget.value)}
            />
          </Row>
          <Row label="Folder" htmlFor={ids.folder}>
            <input
              id={ids.folder}
              class="inline-input"
              value={draft.folder}
              data-testid="field-folder"
              list={ids.folders}
              placeholder="e.g. Work/Servers"
              autoComplete="off"
              onInput={e => set('folder', e.currentTarget.value)}
            />
            <datalist id={ids.folders}>
              {folders.map(f => (
                <option key={f} value={f} />
              ))}
            </datalist>
          </Row>
          <Row label="Tags" htmlFor={ids.tags}>
            <input
              id={ids.tags}
              class="inline-input"
              value={draft.tags}
              data-testid="field-tags"
              placeholder="comma, separated"
              autoComplete="off"
              onInput={e => set('tags', e.currentTarget.value)}
            />
          </Row>
        </dl>
        {!trashed && (
          <button
            type="button"
            class="link-button add-field"
            data-testid="add-field"
            onClick={() => set('fields', [...draft.fields, { name: '', value: '', hidden: false }])}
          >
            <Icon name="plus" /> Add a field (PIN, recovery code…)
          </button>
        )}
      </fieldset>
      {!isNew && <Attachments item={item} readOnly={trashed} onChanged={onSaved} />}

      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!trashed && (
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="save" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {isNew ? (
            <button type="button" class="button" data-testid="cancel" onClick={onCancel}>
              Cancel
            </button>
          ) : (
            <button type="button" class="button" data-testid="revert" disabled={!dirty} onClick={revert}>
              Undo changes
            </button>
          )}
          <span class="hint">
            {dirty ? 'Unsaved changes · ' : ''}Ctrl+S saves · Esc {isNew ? 'cancels' : 'undoes'}
          </span>
        </div>
      )}
      {!isNew && (
        <p class="view-meta muted">
          Changed {timeAgo(item.updatedAt)} · created {new Date(item.createdAt).toLocaleDateString()}
        </p>
      )}
      {!isNew && <ItemHistory item={item} disabled={dirty || trashed} onRestored={onSaved} />}
    </form>
  )
}
