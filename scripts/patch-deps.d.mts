/** Types of scripts/patch-deps.mjs, for the tests that import it. */
export interface Edit {
  name: string
  module: string
  from: string
  to: string
}
export const LEAN_DECODING: Edit[]
export class PatchError extends Error {}
export function resolvedFile(module: string): string
export function stateOf(edit: Edit, text: string, file: string): 'patched' | 'unpatched'
export function patchText(edit: Edit, text: string, file?: string): string
export function patchDeps(options: { apply: boolean }): string[]
