/** Copy with a 30-second clear (web-ui/src/clipboard.ts), over a stubbed clipboard and fake timers. */
import { afterAll, beforeEach, describe, it, expect, vi } from 'vitest'
import { loadPageModule } from './loadPageModule.js'

interface Clipboard {
  CLEAR_AFTER_MS: number
  copyText: (text: string, secret?: boolean) => Promise<void>
}

/** The browser as the module sees it: a clipboard, a read permission, and focus/visibility listeners. */
const page = {
  clipboard: '',
  readPermission: 'granted' as 'granted' | 'prompt',
  writable: true,
  writes: [] as string[],
  listeners: new Map<string, () => void>()
}
vi.stubGlobal('navigator', {
  clipboard: {
    writeText: async (text: string) => {
      if (!page.writable) throw new Error('Document is not focused')
      page.clipboard = text
      page.writes.push(text)
    },
    readText: async () => page.clipboard
  },
  permissions: { query: async () => ({ state: page.readPermission }) }
})
vi.stubGlobal('window', {
  addEventListener: (type: string, fn: () => void) => {
    page.listeners.set(type, fn)
  }
})
vi.stubGlobal('document', {
  visibilityState: 'visible',
  addEventListener: (type: string, fn: () => void) => {
    page.listeners.set(type, fn)
  }
})
const { CLEAR_AFTER_MS, copyText } = await loadPageModule<Clipboard>('clipboard')

beforeEach(() => {
  vi.useFakeTimers()
  Object.assign(page, { clipboard: '', readPermission: 'granted', writable: true, writes: [] })
})
afterAll(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('copyText', () => {
  it('clears a copied secret after 30 seconds, not before', async () => {
    expect(CLEAR_AFTER_MS).toBe(30_000)
    await copyText('hunter2')
    expect(page.clipboard).toBe('hunter2')
    await vi.advanceTimersByTimeAsync(29_999)
    expect(page.clipboard).toBe('hunter2')
    await vi.advanceTimersByTimeAsync(1)
    expect(page.clipboard).toBe('')
  })

  it('leaves alone what the person copied since, when the clipboard can be read without a prompt', async () => {
    await copyText('hunter2')
    page.clipboard = 'something else'
    await vi.advanceTimersByTimeAsync(30_000)
    expect(page.clipboard).toBe('something else')
  })

  it('clears unconditionally when reading would prompt', async () => {
    page.readPermission = 'prompt'
    await copyText('hunter2')
    page.clipboard = 'something else'
    await vi.advanceTimersByTimeAsync(30_000)
    expect(page.clipboard).toBe('')
  })

  it('does not clear what is not secret, and a new copy restarts the clock', async () => {
    await copyText('alice@example.com', false)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(page.clipboard).toBe('alice@example.com')
    await copyText('first')
    await vi.advanceTimersByTimeAsync(20_000)
    await copyText('second')
    await vi.advanceTimersByTimeAsync(20_000)
    expect(page.clipboard).toBe('second')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(page.clipboard).toBe('')
  })

  it('a clear refused in the background is retried when the page is focused again', async () => {
    await copyText('hunter2')
    page.writable = false
    await vi.advanceTimersByTimeAsync(30_000)
    expect(page.clipboard).toBe('hunter2')
    page.writable = true
    page.listeners.get('focus')?.()
    await vi.advanceTimersByTimeAsync(0)
    expect(page.clipboard).toBe('')
    expect(page.writes).toEqual(['hunter2', ''])
  })
})
