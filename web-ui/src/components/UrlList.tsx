/** The item's website addresses: each editable, opened and copied from beside it, added and removed (not when readOnly: in the trash). */
import { safeHref } from '../format.js'
import { withScheme } from '../itemDraft.js'
import { Icon } from './Icon.js'
import { CopyButton } from './ui.js'
import { Row } from './fields.js'

export function UrlList({
  urls,
  firstId,
  onChange,
  readOnly = false,
  hidden
}: {
  urls: string[]
  firstId: string
  onChange: (urls: string[]) => void
  readOnly?: boolean
  hidden?: boolean
}) {
  return (
    <Row label={urls.length > 1 ? 'Websites' : 'Website'} htmlFor={firstId} hidden={hidden}>
      <ul class="url-list">
        {urls.map((url, i) => {
          const href = safeHref(withScheme(url))
          return (
            <li key={i}>
              <input
                id={i === 0 ? firstId : undefined}
                type="text"
                inputMode="url"
                class="inline-input"
                value={url}
                placeholder="example.com"
                aria-label={i === 0 ? undefined : `Website address ${i + 1}`}
                data-testid={i === 0 ? 'field-url' : 'field-url-extra'}
                spellcheck={false}
                autoCapitalize="off"
                onInput={e => onChange(urls.map((u, j) => (j === i ? e.currentTarget.value : u)))}
              />
              {href !== undefined && url.trim() !== '' && (
                <a class="icon-button" href={href} target="_blank" rel="noopener noreferrer" title={`Open ${url}`}>
                  <Icon name="link" label={`Open ${url}`} />
                </a>
              )}
              {url.trim() !== '' && <CopyButton value={url.trim()} what="Address" secret={false} />}
              {urls.length > 1 && !readOnly && (
                <button type="button" class="icon-button" onClick={() => onChange(urls.filter((_, j) => j !== i))}>
                  <Icon name="close" label={`Remove address ${i + 1}`} />
                </button>
              )}
            </li>
          )
        })}
      </ul>
      {!readOnly && (
        <button type="button" class="link-button" data-testid="add-url" onClick={() => onChange([...urls, ''])}>
          <Icon name="plus" /> Add another address
        </button>
      )}
    </Row>
  )
}
