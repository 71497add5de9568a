/**
 * A full garbage collection on demand, through the `gc` that `--expose-gc` (a daemon start flag,
 * DAEMON_NODE_FLAGS) puts on the global object; with `--compact-on-every-full-gc` it also compacts.
 * After an unlock or a lock, the garbage of decrypting a large vault (or the whole old document) is
 * spread over many half-empty heap pages, which V8 would keep for a long time. Compacting moves the
 * live objects together so the emptied pages go back to the system; collecting also shortens how
 * long plaintext lingers in memory. No V8 flag is changed at run time.
 */

/** Collects now; false (and nothing done) in a process started without `--expose-gc`. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: unknown }).gc
  if (typeof gc !== 'function') return false
  ;(gc as () => void)()
  return true
}

/**
 * A young-generation collection (a scavenge, about a millisecond) now; false without `--expose-gc`.
 * A file streamed through the daemon leaves a megabyte of dead buffers per few chunks (each read,
 * sealed or opened once); V8 would let tens of megabytes of them pile up before collecting, so the
 * transfers call this every few chunks and the daemon's memory stays flat while a file passes.
 */
export function collectYoungGarbage(): boolean {
  const gc = (globalThis as { gc?: unknown }).gc
  if (typeof gc !== 'function') return false
  ;(gc as (options: { type: 'minor' }) => void)({ type: 'minor' })
  return true
}
