/**
 * Which tier each test file runs in (vitest.config.ts makes one vitest project per tier). Mostly by
 * folder; files that need more than their folder's tier are named here. A new file can also name
 * its tier itself: `x.unit.test.ts`, `x.integration.test.ts`, `x.e2e.test.ts`, `x.browser.test.ts`.
 * scripts/check-test-tiers.mjs (`npm run test:tiers`, part of `npm test`) checks that every test
 * file lands in exactly one tier.
 */
export interface Tier {
  name: 'unit' | 'integration' | 'e2e' | 'browser'
  include: string[]
  exclude: string[]
}

const NAMES = ['unit', 'integration', 'e2e', 'browser'] as const
const tagged = (name: string): string => `test/**/*.${name}.test.ts`

/** Files in a unit folder that need a heavier tier. */
const INTEGRATION_FILES = [
  // real libp2p over 127.0.0.1, in this process or in child processes
  'test/network/libp2p.test.ts',
  'test/network/mdns.test.ts',
  'test/network/polyfill.test.ts',
  // its second half runs three devices on real libp2p
  'test/sync/convergence.test.ts',
  // real LevelDB in a temporary directory
  'test/storage/LevelStorageAdapter.test.ts',
  // runs the real keepassxc-cli
  'test/interop/keepassxc.test.ts',
  // in-process, but generates and imports 50 MB exports: seconds of CPU and hundreds of MB
  // (its small malformed-input tests would be unit tests in a file of their own)
  'test/interop/failures.test.ts'
]
const E2E_FILES = [
  // start a real daemon and speak HTTP to it
  'test/api/dashboard.hardening.test.ts',
  'test/api/dashboard.sessions.test.ts',
  // starts `kith daemon` as a user would, through the re-exec, and signals it
  'test/daemon/daemonReexec.test.ts'
]

const UNIT_FOLDERS = [
  'api',
  'codec',
  'crypto',
  'daemon',
  'interop',
  'keyring',
  'network',
  'pairing',
  'replica',
  'service',
  'storage',
  'sync',
  'vault',
  'web-ui'
]

const includes: Record<Tier['name'], string[]> = {
  unit: [`test/{${UNIT_FOLDERS.join(',')}}/**/*.test.ts`, tagged('unit')],
  integration: [...INTEGRATION_FILES, tagged('integration')],
  e2e: ['test/e2e/**/*.test.ts', ...E2E_FILES, tagged('e2e')],
  browser: ['test/browser/**/*.test.ts', tagged('browser')]
}

/** A file a tier's folders take in but another tier names (by path or by its own name) runs there instead. */
function excludes(name: Tier['name']): string[] {
  const named = NAMES.filter(other => other !== name).map(tagged)
  return name === 'unit' ? [...INTEGRATION_FILES, ...E2E_FILES, ...named] : named
}

export const TIERS: Tier[] = NAMES.map(name => ({ name, include: includes[name], exclude: ['**/node_modules/**', ...excludes(name)] }))
