#!/usr/bin/env node
// Two small edits to Yjs's and lib0's decoders, applied to the installed files in node_modules so
// that the bundle, tsx and the tests all run the same bytes (docs/decisions/0011-lean-yjs-decoding.md).
// Runs from `postinstall`; idempotent. Each edit must find its expected text exactly once, or this
// fails loudly: a Yjs or lib0 update moved the code, so look again (and maybe drop the edit).
//
//   node scripts/patch-deps.mjs           apply what is missing, then verify
//   node scripts/patch-deps.mjs --check   verify only (exit 1 when an edit is missing)
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Decoded Yjs values are built with `[]` and push, and V8 gives such an array room for 17
 * elements: ~150 bytes where one value needs 24. These edits copy each small decoded array to its
 * exact length while it is still young garbage. Same values, same length: behaviour is unchanged.
 */
export const LEAN_DECODING = [
  {
    name: 'yjs readContentAny',
    module: 'yjs',
    from: '    cs.push(decoder.readAny());\n  }\n  return new ContentAny(cs)',
    to: '    cs.push(decoder.readAny());\n  }\n  return new ContentAny(cs.length < 16 ? cs.slice() : cs)'
  },
  {
    name: 'lib0 readAny (array)',
    module: 'lib0/decoding',
    from: '      arr.push(readAny(decoder))\n    }\n    return arr\n',
    to: '      arr.push(readAny(decoder))\n    }\n    return arr.length < 16 ? arr.slice() : arr\n'
  }
]

export class PatchError extends Error {
  constructor(message) {
    super(message)
    this.name = 'PatchError'
  }
}

const count = (text, part) => text.split(part).length - 1
/** node_modules/… of a resolved file (node_modules may be a symlink to another checkout's) */
const shown = file => file.slice(file.lastIndexOf('node_modules'))

/** The file Node (and esbuild, with the same conditions) loads for an import of `module` from the repo. */
export function resolvedFile(module) {
  return fileURLToPath(import.meta.resolve(module))
}

/** 'patched', 'unpatched', or throws PatchError when the upstream text is not there exactly once. */
export function stateOf(edit, text, file) {
  if (count(text, edit.to) === 1) return 'patched'
  if (count(text, edit.from) === 1) return 'unpatched'
  throw new PatchError(
    `${edit.name}: the expected code is not in ${shown(file)} exactly once (a yjs or lib0 update moved it; see docs/decisions/0011-lean-yjs-decoding.md)`
  )
}

/** `text` with `edit` made (unchanged when it already was); throws PatchError when the upstream code moved. */
export function patchText(edit, text, file = edit.module) {
  return stateOf(edit, text, file) === 'patched' ? text : text.replace(edit.from, edit.to)
}

/** Verifies every edit is in place; with `apply`, first makes the missing ones. Returns one line per edit. */
export function patchDeps({ apply }) {
  const report = []
  for (const edit of LEAN_DECODING) {
    const file = resolvedFile(edit.module)
    const text = readFileSync(file, 'utf8')
    const state = stateOf(edit, text, file)
    if (state === 'unpatched') {
      if (!apply)
        throw new PatchError(`${edit.name}: ${shown(file)} is not patched; run \`node scripts/patch-deps.mjs\` (npm install does)`)
      // write beside, then rename: a process loading the file meanwhile sees the old or the new text, never half
      const temp = `${file}.kith-patch-${process.pid}`
      writeFileSync(temp, patchText(edit, text, file), { mode: statSync(file).mode })
      renameSync(temp, file)
      if (stateOf(edit, readFileSync(file, 'utf8'), file) !== 'patched')
        throw new PatchError(`${edit.name}: ${shown(file)} did not take the edit`)
    }
    report.push(`${edit.name}: ${shown(file)} ${state === 'patched' ? 'already patched' : 'patched'}`)
  }
  return report
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    for (const line of patchDeps({ apply: !process.argv.includes('--check') })) console.log(`patch-deps: ${line}`)
  } catch (err) {
    console.error(`patch-deps: ${err.message}`)
    process.exit(1)
  }
}
