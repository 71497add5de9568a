// Bundles the daemon and CLI (daemon/main.ts) into dist/kith.mjs with esbuild, so `kith` runs on
// plain Node without a TypeScript loader and without loading ~650 package modules one by one:
// faster CLI calls and a smaller daemon. Only native packages (LevelDB, Argon2) stay external.
import { build } from 'esbuild'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Decoded Yjs values are built with `[]` and push, and V8 gives such an array room for 17
 * elements: ~150 bytes where one value needs 24. A vault of 10,000 items decodes ~80,000 of them
 * (~10 MB). These two edits copy each small decoded array to its exact length while it is still
 * young garbage. Each edit must match exactly once, or the build fails (a Yjs or lib0 update moved
 * the code: look again). docs/decisions/0011-lean-yjs-decoding.md says why.
 */
const LEAN_DECODING = [
  {
    file: /[\\/]yjs[\\/]dist[\\/]yjs\.mjs$/,
    from: '    cs.push(decoder.readAny());\n  }\n  return new ContentAny(cs)',
    to: '    cs.push(decoder.readAny());\n  }\n  return new ContentAny(cs.length < 16 ? cs.slice() : cs)'
  },
  {
    file: /[\\/]lib0[\\/]decoding\.js$/,
    from: '      arr.push(readAny(decoder))\n    }\n    return arr\n',
    to: '      arr.push(readAny(decoder))\n    }\n    return arr.length < 16 ? arr.slice() : arr\n'
  }
]

const leanDecoding = {
  name: 'lean-yjs-decoding',
  setup (b) {
    const seen = new Set()
    b.onLoad({ filter: /[\\/](yjs[\\/]dist[\\/]yjs\.mjs|lib0[\\/]decoding\.js)$/ }, async ({ path }) => {
      const edit = LEAN_DECODING.find(e => e.file.test(path))
      const source = await readFile(path, 'utf8')
      if (source.split(edit.from).length !== 2) throw new Error(`lean-yjs-decoding: the expected code is not in ${path} exactly once`)
      seen.add(edit)
      return { contents: source.replace(edit.from, edit.to), loader: 'js' }
    })
    b.onEnd(result => {
      if (result.errors.length === 0 && seen.size !== LEAN_DECODING.length) throw new Error('lean-yjs-decoding: yjs or lib0 was not bundled')
    })
  }
}

await build({
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
  plugins: [leanDecoding],
  // shorter source text: V8 keeps every script's source in the heap
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning'
})
