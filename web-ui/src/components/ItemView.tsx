/** One item: fields with reveal and copy, TOTP, URLs, notes, custom fields; favourite, trash, restore. */
import { useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { api } from '../api.js'
import type { Item } from '../types.js'
import { hostOf, hueClass, safeHref, timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { navigate } from '../router.js'
import { Icon } from './Icon.js'
import { ConfirmButton, CopyButton } from './ui.js'
import { Totp } from './Totp.js'

function Row ({ label, children }: { label: string, children: ComponentChildren }) {
  return (
    <div class='view-row'>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

function Secret ({ value, label, testId }: { value: string, label: string, testId: string }) {
  const [shown, setShown] = useState(false)
  return (
    <div class='secret'>
      <span class={shown ? 'secret-value revealed' : 'secret-value'} data-testid={`${testId}-value`}>{shown ? value : '••••••••••••'}</span>
      <button type='button' class='icon-button' aria-pressed={shown} data-testid={`reveal-${testId}`} onClick={() => setShown(!shown)} title={shown ? 'Hide' : 'Reveal'}>
        <Icon name={shown ? 'eyeOff' : 'eye'} label={shown ? `Hide ${label.toLowerCase()}` : `Reveal ${label.toLowerCase()}`} />
      </button>
      <CopyButton value={value} what={label} testId={`copy-${testId}`} />
    </div>
  )
}

export function ItemView ({ item, onChanged, onRemoved }: { item: Item, onChanged: (item: Item) => void, onRemoved: (id: string) => void }) {
  const act = async (what: () => Promise<unknown>, done?: string): Promise<void> => {
    try { await what(); if (done !== undefined) toast(done) } catch (err) { toast(messageOf(err), 'error') }
  }
  const toggleFavorite = (): Promise<void> => act(async () => onChanged(await api.updateItem(item.id, { favorite: !item.favorite })))
  const trash = (): Promise<void> => act(async () => { await api.trashItem(item.id); onChanged({ ...item, trashed: true }) }, `Moved “${item.title}” to the trash`)
  const restore = (): Promise<void> => act(async () => onChanged(await api.restoreItem(item.id)), `Restored “${item.title}”`)
  const purge = (): Promise<void> => act(async () => { await api.purgeItem(item.id); onRemoved(item.id) }, `Deleted “${item.title}” for good`)

  return (
    <article class='item-view' aria-labelledby='item-title' data-testid='item-view'>
      <header class='view-header'>
        <span class={`avatar large ${hueClass(item.title)}`} aria-hidden='true'>{(item.title.trim()[0] ?? '?').toUpperCase()}</span>
        <div class='view-heading'>
          <h2 id='item-title'>{item.title}</h2>
          <p class='muted'>{item.vault}{item.folder !== '' && <> · <Icon name='folder' /> {item.folder}</>}{item.trashed && <> · in the trash</>}</p>
        </div>
        <div class='view-actions'>
          {!item.trashed && (
            <>
              <button type='button' class={`icon-button star${item.favorite ? ' on' : ''}`} aria-pressed={item.favorite} data-testid='favorite' onClick={() => { void toggleFavorite() }} title='Favourite'>
                <Icon name='star' label={item.favorite ? 'Remove from favourites' : 'Add to favourites'} />
              </button>
              <button type='button' class='button' data-testid='edit-item' onClick={() => navigate({ page: 'items', id: item.id, mode: 'edit' })}>
                <Icon name='edit' /> Edit
              </button>
              <button type='button' class='button' data-testid='trash-item' onClick={() => { void trash() }}>
                <Icon name='trash' /> Trash
              </button>
            </>
          )}
          {item.trashed && (
            <>
              <button type='button' class='button' data-testid='restore-item' onClick={() => { void restore() }}><Icon name='restore' /> Restore</button>
              <ConfirmButton testId='purge-item' confirmText='Click again to delete for good' onConfirm={() => { void purge() }}><Icon name='trash' /> Delete for good</ConfirmButton>
            </>
          )}
        </div>
      </header>
      <dl class='view-fields'>
        {item.username !== '' && (
          <Row label='Username'>
            <div class='secret'><span class='plain-value' data-testid='username-value'>{item.username}</span><CopyButton value={item.username} what='Username' secret={false} testId='copy-username' /></div>
          </Row>
        )}
        {item.password !== '' && <Row label='Password'><Secret value={item.password} label='Password' testId='password' /></Row>}
        {item.totp !== null && <Row label='One-time code'><Totp uri={item.totp} /></Row>}
        {item.urls.length > 0 && (
          <Row label={item.urls.length === 1 ? 'Website' : 'Websites'}>
            <ul class='url-list'>
              {item.urls.map((url, i) => {
                const href = safeHref(url)
                return (
                  <li key={`${i}-${url}`}>
                    {href !== undefined
                      ? <a href={href} target='_blank' rel='noopener noreferrer' title={url}><Icon name='link' /> {hostOf(url)}</a>
                      : <span>{url}</span>}
                    <CopyButton value={url} what='Address' secret={false} />
                  </li>
                )
              })}
            </ul>
          </Row>
        )}
        {item.fields.map((f, i) => (
          <Row key={`${i}-${f.name}`} label={f.name === '' ? 'Field' : f.name}>
            {f.hidden
              ? <Secret value={f.value} label={f.name === '' ? 'Field' : f.name} testId={`field-${i}`} />
              : <div class='secret'><span class='plain-value'>{f.value}</span><CopyButton value={f.value} what={f.name === '' ? 'Field' : f.name} secret={false} /></div>}
          </Row>
        ))}
        {item.notes !== '' && <Row label='Notes'><p class='notes'>{item.notes}</p></Row>}
        {item.tags.length > 0 && (
          <Row label='Tags'><ul class='chips'>{item.tags.map(t => <li key={t} class='chip'><Icon name='tag' /> {t}</li>)}</ul></Row>
        )}
      </dl>
      <p class='view-meta muted'>Changed {timeAgo(item.updatedAt)} · created {new Date(item.createdAt).toLocaleDateString()}</p>
    </article>
  )
}
