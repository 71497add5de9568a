/**
 * A full, compacting garbage collection on demand. After an unlock or a lock, the garbage of
 * decrypting a large vault (or the whole old document) is spread over many half-empty heap pages,
 * which V8 would keep for a long time: the resident set stayed ~10–20 MB above what is live, and
 * grew by ~50 MB per lock/unlock cycle before this ran. Compacting moves the live objects together
 * so the emptied pages go back to the system. Collecting then also shortens how long plaintext
 * lingers in memory.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gc: (() => void) | undefined

export function collectGarbage (): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as () => void
  }
  // compaction only for this collection: V8's own full collections stay as they are
  setFlagsFromString('--compact-on-every-full-gc')
  try {
    gc()
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc')
  }
}
