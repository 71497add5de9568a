/**
 * The two decoder edits of scripts/patch-deps.mjs (docs/decisions/0011-lean-yjs-decoding.md): in
 * place in the installed yjs and lib0 that this process loaded, idempotent, loud when upstream code
 * moves, and invisible in what decoding returns.
 */
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import * as Y from 'yjs'
import { LEAN_DECODING, patchDeps, patchText, resolvedFile, stateOf } from '../../scripts/patch-deps.mjs'

describe('lean Yjs decoding', () => {
  it('is in place in the files this process runs (npm install patched node_modules)', () => {
    expect(() => patchDeps({ apply: false })).not.toThrow()
    for (const edit of LEAN_DECODING) expect(readFileSync(resolvedFile(edit.module), 'utf8')).toContain(edit.to)
  })

  it('patches upstream text once, leaves patched text alone, and refuses text it does not recognise', () => {
    for (const edit of LEAN_DECODING) {
      const upstream = `// before\n${edit.from}// after\n`
      const once = patchText(edit, upstream)
      expect(once).toBe(`// before\n${edit.to}// after\n`)
      expect(patchText(edit, once)).toBe(once)
      expect(stateOf(edit, once, 'x.js')).toBe('patched')
      expect(() => patchText(edit, upstream.replace('push', 'unshift'))).toThrow(
        expect.objectContaining({ name: 'PatchError', message: expect.stringMatching(/exactly once/) })
      )
      expect(() => patchText(edit, upstream + upstream)).toThrow(/exactly once/)
    }
  })

  it('decodes arrays of every size to the same values, short and long, nested ones included', () => {
    // a Y.Array's values travel as one ContentAny (Yjs's readContentAny); an array value inside it is lib0's readAny
    for (const n of [0, 1, 2, 15, 16, 17, 100]) {
      const value = Array.from({ length: n }, (_, i) =>
        i % 3 === 0 ? `s${i}` : i % 3 === 1 ? i : [i, { k: i }, Array.from({ length: i }, (_, j) => j)]
      )
      const doc = new Y.Doc()
      doc.getArray('a').insert(0, value)
      const copy = new Y.Doc()
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
      expect(copy.getArray('a').toJSON()).toEqual(value)
    }
  })
})
