/**
 * An item's files (its "Files" section), a lazy chunk of its own: each file with its size, Download
 * (checked against its SHA-256 before it is saved) and Remove (click twice); "Add files" or a drop
 * onto the section uploads with a progress bar each. A refused upload (too large, locked…) stays
 * listed with the daemon's reason until dismissed; nothing else on the page is touched. The list is
 * the item's own `attachments`, so it follows every change of the item (item-changed events).
 */
import { useId, useRef, useState } from 'preact/hooks'
import { api } from '../api.js'
import { type AttachmentInfo, downloadAttachment, removeAttachment, uploadAttachment } from '../attachmentApi.js'
import { fileSize } from '../fileSize.js'
import type { Item } from '../types.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { ConfirmButton } from './ui.js'

interface Upload {
  key: number
  name: string
  size: number
  sent: number
  controller: AbortController
}
interface Refusal {
  key: number
  name: string
  message: string
}

let nextKey = 1

export function Attachments({ item, readOnly, onChanged }: { item: Item; readOnly: boolean; onChanged: (item: Item) => void }) {
  const [uploads, setUploads] = useState<Upload[]>([])
  const [refusals, setRefusals] = useState<Refusal[]>([])
  const [downloading, setDownloading] = useState<string>()
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const heading = useId()
  // by name, whatever order the item's map gives them in
  const files = [...(item.attachments ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))

  const refresh = async (): Promise<void> => {
    onChanged(await api.item(item.id))
  }

  const add = async (chosen: File[]): Promise<void> => {
    for (const file of chosen) {
      const upload: Upload = { key: nextKey++, name: file.name, size: file.size, sent: 0, controller: new AbortController() }
      setUploads(list => [...list, upload])
      try {
        await uploadAttachment(
          item.id,
          file,
          sent => setUploads(list => list.map(u => (u.key === upload.key ? { ...u, sent } : u))),
          upload.controller.signal
        )
        toast(`Added “${file.name}”`)
        await refresh().catch(() => {})
      } catch (err) {
        if (upload.controller.signal.aborted) toast(`Stopped adding “${file.name}”`)
        else setRefusals(list => [...list, { key: upload.key, name: file.name, message: messageOf(err) }])
      } finally {
        setUploads(list => list.filter(u => u.key !== upload.key))
      }
    }
  }

  const download = async (file: AttachmentInfo): Promise<void> => {
    setDownloading(file.id)
    try {
      const href = URL.createObjectURL(await downloadAttachment(item.id, file))
      const a = document.createElement('a')
      a.href = href
      a.download = file.name
      a.click()
      setTimeout(() => URL.revokeObjectURL(href), 10_000)
    } catch (err) {
      toast(messageOf(err), 'error')
    } finally {
      setDownloading(undefined)
    }
  }

  const remove = async (file: AttachmentInfo): Promise<void> => {
    try {
      await removeAttachment(item.id, file.id)
      toast(`Removed “${file.name}”`)
      await refresh()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }

  const accepts = (e: DragEvent): boolean => !readOnly && (e.dataTransfer?.types.includes('Files') ?? false)

  return (
    <section
      class={`attachments${dragging ? ' dragging' : ''}`}
      aria-labelledby={heading}
      data-testid="attachments"
      onDragOver={e => {
        if (!accepts(e)) return
        e.preventDefault()
        if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy'
        setDragging(true)
      }}
      onDragLeave={e => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false)
      }}
      onDrop={e => {
        if (!accepts(e)) return
        e.preventDefault()
        setDragging(false)
        void add([...(e.dataTransfer?.files ?? [])])
      }}
    >
      <div class="attachments-header">
        <h3 id={heading}>Files</h3>
        {!readOnly && (
          <>
            <span class="hint">{dragging ? 'Drop to add' : 'or drop files here'}</span>
            <button type="button" class="button small" data-testid="add-attachment" onClick={() => input.current?.click()}>
              <Icon name="plus" /> Add files
            </button>
            <input
              ref={input}
              type="file"
              multiple
              hidden
              aria-label="Files to add"
              data-testid="attachment-input"
              onChange={e => {
                const chosen = [...(e.currentTarget.files ?? [])]
                e.currentTarget.value = ''
                void add(chosen)
              }}
            />
          </>
        )}
      </div>
      {files.length === 0 && uploads.length === 0 && <p class="muted">No files.</p>}
      <ul class="attachment-list">
        {files.map(file => (
          <li key={file.id} class="attachment" data-testid="attachment">
            <span class="attachment-name" data-testid="attachment-name">
              {file.name}
            </span>
            <span class="attachment-size" data-testid="attachment-size">
              {fileSize(file.size)}
            </span>
            <button
              type="button"
              class="button small"
              data-testid="download-attachment"
              disabled={downloading === file.id}
              onClick={() => void download(file)}
            >
              {downloading === file.id ? 'Downloading…' : 'Download'}
              <span class="visually-hidden"> {file.name}</span>
            </button>
            {!readOnly && (
              <ConfirmButton
                class="button small danger"
                testId="remove-attachment"
                confirmText="Click again to remove"
                onConfirm={() => void remove(file)}
              >
                Remove<span class="visually-hidden"> {file.name}</span>
              </ConfirmButton>
            )}
          </li>
        ))}
        {uploads.map(u => (
          <li key={u.key} class="attachment" data-testid="attachment-upload">
            <span class="attachment-name">{u.name}</span>
            <progress max={Math.max(u.size, 1)} value={u.sent} aria-label={`Uploading ${u.name}`} />
            <span class="attachment-size">{u.size === 0 ? '' : `${Math.floor((100 * u.sent) / u.size)} %`}</span>
            <button type="button" class="button small" onClick={() => u.controller.abort()}>
              Stop<span class="visually-hidden"> adding {u.name}</span>
            </button>
          </li>
        ))}
      </ul>
      {refusals.map(r => (
        <p key={r.key} class="error attachment-refused" role="alert" data-testid="attachment-error">
          <span>
            Could not add “{r.name}”: {r.message}
          </span>
          <button type="button" class="link-button" onClick={() => setRefusals(list => list.filter(x => x.key !== r.key))}>
            Dismiss<span class="visually-hidden"> the message about {r.name}</span>
          </button>
        </p>
      ))}
    </section>
  )
}
