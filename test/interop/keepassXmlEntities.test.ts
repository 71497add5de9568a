/** KeePass XML: a DOCTYPE or ENTITY declaration anywhere is refused, however much padding comes before it. */
import { describe, expect, it } from 'vitest'
import { ImportError } from '../../daemon/interop/errors.js'
import { importKeepassXml } from '../../daemon/interop/keepassXml.js'
import { utf8 } from './helpers.js'

const entry = (title: string): string =>
  `<KeePassFile><Root><Group><Name>Root</Name><Entry><String><Key>Title</Key><Value>${title}</Value></String></Entry></Group></Root></KeePassFile>`

async function refusal(xml: string): Promise<ImportError> {
  const err = await importKeepassXml(utf8(xml), {}).then(
    r => r,
    (e: unknown) => e
  )
  expect(err, `imported: ${JSON.stringify(err)}`).toBeInstanceOf(ImportError)
  const e = err as ImportError
  expect(e.format).toBe('keepass-xml')
  expect(e.message).toContain('keepass-xml')
  return e
}

describe('KeePass XML without entity processing', () => {
  const padding = `<!-- ${' '.repeat(70 * 1024)} -->\n${' '.repeat(8 * 1024)}`

  it('a DOCTYPE placed after 78 KiB of comments and whitespace is refused, with where it is', async () => {
    const xml = `<?xml version="1.0"?>${padding}<!DOCTYPE KeePassFile [<!ENTITY x "injected">]>${entry('&x;')}`
    const e = await refusal(xml)
    expect(e.message).toMatch(/DOCTYPE declaration.*refused/)
    expect(e.location).toBe(`character ${xml.indexOf('<!DOCTYPE')}`)
  })

  it('an ENTITY declaration without DOCTYPE is refused too', async () => {
    const e = await refusal(`<?xml version="1.0"?>${padding}<!ENTITY x "y">${entry('t')}`)
    expect(e.message).toMatch(/ENTITY declaration/)
  })

  it('escaped text that mentions <!DOCTYPE still imports', async () => {
    const { items } = await importKeepassXml(utf8(`<?xml version="1.0"?>${padding}${entry('&lt;!DOCTYPE html&gt; &amp; co')}`), {})
    expect(items.map(i => i.title)).toEqual(['<!DOCTYPE html> & co'])
  })
})
