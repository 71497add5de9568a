/**
 * A full garbage collection on demand. After a lock, the old decrypted documents (tens of MB for a
 * large vault) are garbage that V8 would otherwise keep for many cycles, and the resident set would
 * grow by that much per lock/unlock. Collecting then also shortens how long plaintext lingers in memory.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gc: (() => void) | undefined

export function collectGarbage (): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as () => void
  }
  gc()
}
