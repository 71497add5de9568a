/**
 * Architecture rules (docs/architecture.md): dependencies point down. `npm test` runs this.
 * crypto ← keyring/storage/vault ← replica ← service ← api/network/sync/pairing ← daemon.ts/cli.
 */
const layer = (name) => `^daemon/${name}/`
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^daemon/' }, to: { circular: true } },
    { name: 'crypto-is-pure', comment: 'crypto/ knows nothing of other layers', severity: 'error',
      from: { path: layer('crypto') }, to: { path: '^daemon/(?!crypto/)' } },
    { name: 'codec-is-pure', severity: 'error', from: { path: layer('codec') }, to: { path: '^daemon/(?!codec/)' } },
    { name: 'vault-knows-no-keys', comment: 'vault/ is the Yjs model only: no crypto, keyring, storage or network', severity: 'error',
      from: { path: layer('vault') }, to: { path: '^daemon/(crypto|keyring|storage|replica|network|sync|pairing|api|cli|service)/' } },
    { name: 'storage-sees-no-plaintext', comment: 'storage/ never imports the model or keys', severity: 'error',
      from: { path: layer('storage') }, to: { path: '^daemon/(?!storage/)' } },
    { name: 'only-level-adapter-imports-level', severity: 'error',
      from: { pathNot: '^daemon/storage/LevelStorageAdapter\\.ts$' }, to: { path: 'node_modules/(level|classic-level)/' } },
    { name: 'only-network-libp2p-imports-libp2p', severity: 'error',
      from: { path: '^daemon/', pathNot: '^daemon/network/libp2p/' },
      to: { path: 'node_modules/(libp2p|@libp2p|@chainsafe|@multiformats)/' } },
    { name: 'keyring-below-replica', severity: 'error', from: { path: layer('keyring') }, to: { path: '^daemon/(replica|vault|service|network|sync|pairing|api|cli|interop)/' } },
    { name: 'replica-below-service', severity: 'error', from: { path: layer('replica') }, to: { path: '^daemon/(service|keyring|network|sync|pairing|api|cli|interop)/' } },
    { name: 'interop-is-pure', comment: 'importers/exporters are pure functions between bytes and items', severity: 'error',
      from: { path: layer('interop') }, to: { path: '^daemon/(storage|replica|keyring|service|network|sync|pairing|api|cli)/' } },
    { name: 'service-knows-no-transport', severity: 'error', from: { path: layer('service') }, to: { path: '^daemon/(api|cli|network|sync|pairing)/' } },
    { name: 'api-knows-no-network', comment: 'the API reaches network state through interfaces the composition root passes', severity: 'error',
      from: { path: layer('api') }, to: { path: '^daemon/(network|storage|cli)/' } },
    { name: 'sync-knows-no-libp2p-or-api', severity: 'error', from: { path: layer('sync') }, to: { path: '^daemon/(api|cli|network/libp2p)/' } },
    { name: 'cli-goes-through-the-daemon', comment: 'the CLI never opens storage or keys itself', severity: 'error',
      from: { path: layer('cli'), pathNot: '^daemon/cli/commands/lifecycle\\.ts$' }, to: { path: '^daemon/(storage|keyring|replica|network|sync|pairing)/' } }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] }
  }
}
