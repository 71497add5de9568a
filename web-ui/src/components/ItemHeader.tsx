/**
 * The top of an item's view: its letter avatar, title, vault (chosen for a new item), type and
 * folder, and its actions: favourite, move to the trash, and from the trash restore or delete for good.
 */
import { useId } from 'preact/hooks'
import type { Ref } from 'preact'
import { api } from '../api.js'
import type { Item, VaultInfo } from '../types.js'
import type { ItemType } from '../itemTypes.js'
import type { Draft, DraftKey } from '../itemDraft.js'
import { hueClass } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { ConfirmButton } from './ui.js'
import { TypePicker } from './TypePicker.js'

interface ItemHeaderProps {
  /** absent for a new item */
  item?: Item
  draft: Draft
  vaults: VaultInfo[]
  titleRef: Ref<HTMLInputElement>
  set: <K extends DraftKey>(key: K, value: Draft[K]) => void
  onType: (type: ItemType) => void
  onSaved: (item: Item) => void
  onRemoved: (id: string) => void
}

export function ItemHeader({ item, draft, vaults, titleRef, set, onType, onSaved, onRemoved }: ItemHeaderProps) {
  const titleId = useId()
  const vaultId = useId()
  const isNew = item === undefined
  const trashed = item?.trashed === true

  const act = async (what: () => Promise<unknown>, done?: string): Promise<void> => {
    try {
      await what()
      if (done !== undefined) toast(done)
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }

  const toggleFavorite = (): void => {
    if (isNew) {
      set('favorite', !draft.favorite)
      return
    }
    void act(async () => onSaved(await api.updateItem(item.id, { favorite: !item.favorite })))
  }

  return (
    <header class="view-header">
      <span class={`avatar large ${hueClass(draft.title)}`} aria-hidden="true">
        {(draft.title.trim()[0] ?? '+').toUpperCase()}
      </span>
      <div class="view-heading">
        <label for={titleId} class="visually-hidden">
          Title
        </label>
        <input
          id={titleId}
          ref={titleRef}
          class="inline-input title-input"
          data-testid="field-title"
          value={draft.title}
          placeholder={isNew ? 'Title, e.g. GitHub' : 'Title'}
          autoComplete="off"
          disabled={trashed}
          onInput={e => set('title', e.currentTarget.value)}
        />
        <p class="muted">
          {isNew && vaults.length > 1 ? (
            <>
              <label for={vaultId}>Vault</label>{' '}
              <select
                id={vaultId}
                class="inline-select"
                value={draft.vault}
                onChange={e => set('vault', e.currentTarget.value)}
                data-testid="field-vault"
              >
                {vaults.map(v => (
                  <option key={v.id} value={v.name}>
                    {v.name}
                  </option>
                ))}
              </select>
            </>
          ) : (
            draft.vault
          )}
          {' · '}
          <TypePicker type={draft.type} editable={!trashed} onChange={onType} />
          {!isNew && draft.folder !== '' && (
            <>
              {' '}
              · <Icon name="folder" /> {draft.folder}
            </>
          )}
          {trashed && <> · in the trash</>}
        </p>
      </div>
      <div class="view-actions">
        {!trashed && (
          <button
            type="button"
            class={`icon-button star${draft.favorite ? ' on' : ''}`}
            aria-pressed={draft.favorite}
            data-testid="favorite"
            onClick={toggleFavorite}
            title="Favourite"
          >
            <Icon name="star" label={draft.favorite ? 'Remove from favourites' : 'Add to favourites'} />
          </button>
        )}
        {!isNew && !trashed && (
          <button
            type="button"
            class="button"
            data-testid="trash-item"
            onClick={() => {
              void act(async () => {
                await api.trashItem(item.id)
                onSaved({ ...item, trashed: true })
              }, `Moved “${item.title}” to the trash`)
            }}
          >
            <Icon name="trash" /> Trash
          </button>
        )}
        {trashed && (
          <>
            <button
              type="button"
              class="button"
              data-testid="restore-item"
              onClick={() => {
                void act(async () => onSaved(await api.restoreItem(item.id)), `Restored “${item.title}”`)
              }}
            >
              <Icon name="restore" /> Restore
            </button>
            <ConfirmButton
              testId="purge-item"
              confirmText="Click again to delete for good"
              onConfirm={() => {
                void act(async () => {
                  await api.purgeItem(item.id)
                  onRemoved(item.id)
                }, `Deleted “${item.title}” for good`)
              }}
            >
              <Icon name="trash" /> Delete for good
            </ConfirmButton>
          </>
        )}
      </div>
    </header>
  )
}
