/** The folder Kith is installed in (the one holding its package.json), from sources or from the dist bundle alike. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try { if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kith') return dir } catch {}
    }
    dir = dirname(dir)
  }
  throw new Error('cannot find the Kith installation folder (no package.json named kith above this module)')
}

export const INSTALL_ROOT = findRoot()
export const KITH_BIN = join(INSTALL_ROOT, 'bin', 'kith.js')

/**
 * Node flags every daemon process is started with: a small young generation (1 MiB semi-spaces)
 * keeps the resident set near what the vault needs (issue 2: ≤ 150 MB with
 * 10,000 items unlocked, measured in bench/memory.ts). --optimize-for-size saved little and slowed unlock.
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1']

/**
 * Environment every daemon process we spawn gets (`kith start`, auto-start, tests). glibc's malloc
 * otherwise raises its mmap threshold after the first large free (an unlock reads and decrypts
 * multi-MB snapshots) and keeps up to twice that per arena: ~20 MB more resident, growing a little
 * with each unlock. A fixed 128 KiB threshold returns large blocks to the system when freed.
 * Other C libraries ignore the variable. A variable already set by the user wins.
 */
export const DAEMON_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' }

/** The environment to spawn a daemon with: ours, then whatever the caller's already says. */
export function daemonEnv (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...DAEMON_ENV, ...base }
}
