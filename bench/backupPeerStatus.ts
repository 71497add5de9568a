/** A backup peer's `kith status --json`, and waiting until what it stores stops growing (the backup-peer and nat benches). */
import { runKith } from '../test/helpers/daemonProcess.js'

export const statusOf = async (home: string): Promise<Record<string, unknown>> =>
  JSON.parse((await runKith(home, ['status', '--json'])).stdout)

/** Waits until the backup peer's stored bytes stop growing for 2 s. */
export async function settled(home: string): Promise<Record<string, unknown>> {
  let last = ''
  let since = Date.now()
  for (;;) {
    const s = await statusOf(home)
    const now = JSON.stringify([s.storage, s.sealedRecords])
    if (now !== last) {
      last = now
      since = Date.now()
    } else if (Date.now() - since > 2000) return s
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}
