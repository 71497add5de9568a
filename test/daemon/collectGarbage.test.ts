import { describe, it, expect, vi, afterEach } from 'vitest'

// every V8 flag of the daemon is given at start (DAEMON_NODE_FLAGS): none may be changed at run time
const setFlagsFromString = vi.fn()
vi.mock('node:v8', async importOriginal => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString }))

const { collectGarbage } = await import('../../daemon/collectGarbage.js')

describe('collectGarbage', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('runs the gc that --expose-gc put on the global object, changing no V8 flag', () => {
    const gc = vi.fn()
    vi.stubGlobal('gc', gc)
    expect(collectGarbage()).toBe(true)
    expect(gc).toHaveBeenCalledTimes(1)
    expect(setFlagsFromString).not.toHaveBeenCalled()
  })

  it('does nothing in a process started without --expose-gc (an embedded daemon, a test)', () => {
    vi.stubGlobal('gc', undefined)
    expect(collectGarbage()).toBe(false)
    expect(setFlagsFromString).not.toHaveBeenCalled()
  })
})
