// Bundles the daemon and CLI (daemon/main.ts) into dist/kith.mjs with esbuild, so `kith` runs on
// plain Node without a TypeScript loader and without loading ~650 package modules one by one:
// faster CLI calls and a smaller daemon. Only native packages (LevelDB, Argon2) stay external.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'
import { LEAN_DECODING, patchDeps, resolvedFile } from './patch-deps.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// Yjs and lib0 are bundled from node_modules as `npm install` left them: scripts/patch-deps.mjs
// (postinstall) made two small edits to their decoders there, so the bundle, tsx and the tests run
// the same bytes (docs/decisions/0011-lean-yjs-decoding.md). Check, rather than trust, that it ran.
try {
  patchDeps({ apply: false })
} catch (err) {
  console.error(`build-daemon: ${err.message}`)
  process.exit(1)
}

const result = await build({
  entryPoints: [join(root, 'daemon', 'main.ts')],
  outdir: join(root, 'dist'),
  entryNames: 'kith',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // code split: import/export formats load on first use, not at every start
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // native addons load from node_modules; tsx is only for running unbuilt sources
  external: ['classic-level', 'argon2', 'tsx', 'tsx/*'],
  // bundled CommonJS packages call require(); ESM output has none of its own
  banner: { js: "import { createRequire as __kithRequire } from 'node:module'; const require = __kithRequire(import.meta.url);" },
  metafile: true,
  // shorter source text: V8 keeps every script's source in the heap
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning'
})

// the files patch-deps checked must be the ones bundled (not, say, a CommonJS or nested copy)
const bundled = new Set(Object.keys(result.metafile.inputs).map(p => resolve(p)))
for (const edit of LEAN_DECODING) {
  if (!bundled.has(resolvedFile(edit.module))) {
    console.error(`build-daemon: ${edit.name}: the bundle did not take ${edit.module} from the file scripts/patch-deps.mjs patched`)
    process.exit(1)
  }
}
