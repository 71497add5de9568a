/** The folder Kith is installed in (the one holding its package.json), from sources or from the dist bundle alike. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kith') return dir
      } catch {}
    }
    dir = dirname(dir)
  }
  throw new Error('cannot find the Kith installation folder (no package.json named kith above this module)')
}

export const INSTALL_ROOT = findRoot()
export const KITH_BIN = join(INSTALL_ROOT, 'bin', 'kith.js')

// spawners (`kith start`, tests, benches) import the daemon's runtime from here
export { DAEMON_NODE_FLAGS, DAEMON_ENV, daemonEnv } from './runtime/daemonRuntime.js'
