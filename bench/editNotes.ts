/** The catch-up benches' edits (backup-peer and nat): `count` notes edits on `daemon`, one after another over `ids`. */
import type { TestDaemon } from '../test/helpers/daemonProcess.js'

/** The text edit `i` of run `run` writes: what the catching-up device waits to serve. */
export const noteOf = (run: number, i: number): string => `run ${run} edit ${i}`

/** Makes the edits through the API; returns the id of the item the last one changed. */
export async function editNotes(daemon: TestDaemon, ids: string[], run: number, count: number): Promise<string> {
  let last = ''
  for (let i = 0; i < count; i++) {
    last = ids[i % ids.length] as string
    const res = await daemon.api('PATCH', `/api/items/${last}`, { notes: noteOf(run, i) })
    if (res.status !== 200) throw new Error(`edit failed: ${JSON.stringify(res.body)}`)
  }
  return last
}
