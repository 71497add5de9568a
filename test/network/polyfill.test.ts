/**
 * libp2p 3 calls Promise.withResolvers at runtime; Node 20 lacks it. Prove the polyfill matters
 * (a child without it cannot dial, one with it can) and that every path to libp2p loads it first.
 */
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')

function child(...args: string[]): string {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'twoNodes.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000
  })
  return `${res.stdout}${res.stderr}`
}

const firstImport = (file: string): string | undefined =>
  /^import\s+(?:[^'"]*from\s+)?['"]([^'"]+)['"]/m.exec(readFileSync(join(root, file), 'utf8'))?.[1]

describe('Promise.withResolvers polyfill', () => {
  it('without it, a libp2p dial fails; with it, the same dial works', () => {
    expect(child()).toMatch(/DIAL_FAILED/)
    expect(child('with-polyfill')).toMatch(/DIAL_OK/)
  })

  it('is the first import of the libp2p node module and of the daemon entry point', () => {
    expect(firstImport('daemon/network/libp2p/Libp2pNetwork.ts')).toBe('../../polyfills.js')
    expect(firstImport('daemon/main.ts')).toBe('./polyfills.js')
  })
})
