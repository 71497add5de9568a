/**
 * Architecture rules: the table below is the one in docs/architecture.md ("Layers"), and a test
 * (test/daemon/architecture.test.ts) fails when the two differ. Every import between our modules
 * must be allowed by a row: a module may import its own folder, the leaves (log.ts, toError.ts) and
 * what its row names. `npm test` runs this through `npm run depcheck`.
 */
const LEAVES = ['log.ts', 'toError.ts']

/** folder or top-level file → what of ours it may import (besides itself and the leaves) */
const LAYERS = {
  'crypto/': [],
  'codec/': [],
  'vault/': [],
  'storage/': [],
  'keyring/': ['crypto/', 'codec/', 'storage/'],
  'replica/': ['crypto/', 'codec/', 'storage/', 'vault/'],
  'interop/': ['crypto/', 'codec/', 'vault/'],
  'network/': [],
  'network/libp2p/': ['network/', 'polyfills.ts'],
  'network/memory/': ['network/'],
  'sync/': ['network/', 'codec/', 'crypto/', 'storage/'],
  'pairing/': ['keyring/', 'network/', 'codec/', 'crypto/', 'storage/'],
  'service/': ['keyring/', 'replica/', 'vault/', 'interop/', 'crypto/', 'codec/', 'storage/'],
  'api/': ['service/', 'vault/', 'interop/', 'crypto/', 'installRoot.ts', 'pairing/', 'httpAddress.ts'],
  'cli/': ['api/', 'service/', 'vault/', 'paths.ts', 'httpAddress.ts', 'installRoot.ts', 'daemon.ts', 'backupPeer.ts', 'runtime/'],
  'runtime/': [],
  'system/': [],
  'Startable.ts': [],
  'IdleCollector.ts': [],
  'collectGarbage.ts': [],
  'paths.ts': [],
  'httpAddress.ts': [],
  'secureHome.ts': [],
  'installRoot.ts': ['runtime/'],
  'polyfills.ts': [],
  'log.ts': [],
  'toError.ts': [],
  'compose.ts': [
    'Startable.ts',
    'composeSync.ts',
    'composeKeylessPeer.ts',
    'composeBlobs.ts',
    'keyring/',
    'network/',
    'pairing/',
    'service/',
    'storage/',
    'sync/',
    'replica/'
  ],
  'composeSync.ts': ['Startable.ts', 'keyring/', 'network/', 'pairing/', 'service/', 'storage/', 'sync/'],
  'composeKeylessPeer.ts': ['Startable.ts', 'composeSync.ts', 'composeBlobs.ts', 'network/', 'pairing/', 'replica/', 'storage/'],
  'composeBlobs.ts': ['collectGarbage.ts', 'network/', 'pairing/', 'replica/', 'service/', 'storage/', 'sync/'],
  'daemon.ts': [
    'compose.ts',
    'Startable.ts',
    'api/',
    'service/',
    'storage/',
    'keyring/',
    'network/',
    'network/libp2p/',
    'crypto/',
    'IdleCollector.ts',
    'collectGarbage.ts',
    'paths.ts',
    'secureHome.ts',
    'system/'
  ],
  'backupPeer.ts': [
    'composeKeylessPeer.ts',
    'IdleCollector.ts',
    'collectGarbage.ts',
    'api/',
    'storage/',
    'keyring/',
    'network/',
    'network/libp2p/',
    'crypto/',
    'paths.ts',
    'secureHome.ts'
  ],
  'main.ts': ['cli/', 'polyfills.ts', 'runtime/']
}

const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const pathOf = entry => `^daemon/${esc(entry)}${entry.endsWith('/') ? '' : '$'}`
/** a folder's own rule covers its files but not a subfolder that has a row of its own */
const subfolders = entry => Object.keys(LAYERS).filter(e => e !== entry && e.startsWith(entry))
const fromOf = entry => {
  const others = subfolders(entry)
  return others.length === 0 ? { path: pathOf(entry) } : { path: pathOf(entry), pathNot: others.map(pathOf).join('|') }
}
/** a folder's allowance covers its subfolders' interfaces only where no subfolder row exists (network/ ≠ network/libp2p/) */
const toOf = targets => {
  const paths = targets.map(t => {
    const subs = subfolders(t)
    return subs.length === 0 ? pathOf(t) : `${pathOf(t)}(?!${subs.map(s => esc(s.slice(t.length))).join('|')})`
  })
  return { path: paths.join('|') }
}

const allowed = [
  { comment: 'packages and Node built-ins (restricted by the forbidden rules below)', from: {}, to: { dependencyTypesNot: ['local'] } },
  ...Object.entries(LAYERS).map(([entry, targets]) => ({
    comment: `${entry} may import ${[entry, ...LEAVES, ...targets].join(', ')}`,
    from: fromOf(entry),
    to: toOf([entry, ...LEAVES, ...targets])
  }))
]

module.exports = {
  allowed,
  allowedSeverity: 'error',
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^daemon/' }, to: { circular: true } },
    {
      name: 'only-level-adapter-imports-level',
      severity: 'error',
      from: { pathNot: '^daemon/storage/LevelStorageAdapter\\.ts$' },
      to: { path: 'node_modules/(level|classic-level)/' }
    },
    {
      name: 'only-network-libp2p-imports-libp2p',
      severity: 'error',
      from: { path: '^daemon/', pathNot: '^daemon/network/libp2p/' },
      to: { path: 'node_modules/(libp2p|@libp2p|@chainsafe|@multiformats)/' }
    },
    {
      name: 'only-cli-lifecycle-runs-the-daemon',
      comment: 'the CLI talks to the daemon over HTTP; only `kith daemon` builds one',
      severity: 'error',
      from: { path: '^daemon/cli/', pathNot: '^daemon/cli/commands/lifecycle\\.ts$' },
      to: { path: '^daemon/daemon\\.ts$' }
    },
    {
      name: 'api-takes-only-types-from-pairing',
      comment: "the API shows the pairing layer's shapes; it reaches pairing only through the ports the root passes",
      severity: 'error',
      from: { path: '^daemon/api/' },
      to: { path: '^daemon/pairing/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'cli-takes-only-types-from-api',
      comment: "the typed client needs the API's types, never its code",
      severity: 'error',
      from: { path: '^daemon/cli/' },
      to: { path: '^daemon/api/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'only-the-generator-from-service',
      comment: 'the CLI generates passwords locally; every other use case goes through the daemon',
      severity: 'error',
      from: { path: '^daemon/cli/' },
      to: { path: '^daemon/service/(?!passwordGenerator\\.ts$)' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] }
  }
}

// for the test that compares this table with docs/architecture.md (not part of dependency-cruiser's schema)
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false })
Object.defineProperty(module.exports, 'LEAVES', { value: LEAVES, enumerable: false })
