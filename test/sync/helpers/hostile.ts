/**
 * A paired device that speaks the sync protocol by hand: it opens a session to a target, answers
 * its HELLO and sends whatever a test wants (forged snapshots, conflicting envelopes). The session
 * is drained in the background so that the target's credit keeps flowing.
 */
import { Channel } from '../../../daemon/sync/Channel.js'
import { MsgType, PROTOCOL_VERSION, SYNC_PROTOCOL, type Message } from '../../../daemon/sync/messages.js'
import type { SyncDevice } from './syncDevice.js'

export interface HostileSession {
  send: (m: Message) => void
  /** messages the target sent, in order */
  received: Message[]
  close: () => Promise<void>
}

/** Opens a hand-driven session from `from` (its engine should be stopped) to `to`. */
export async function hostileSession(from: SyncDevice, to: SyncDevice, addrs: string[] = []): Promise<HostileSession> {
  const stream = await from.sync.network.openStream(to.id, addrs, SYNC_PROTOCOL, { maxFrameBytes: 1 << 24, maxBufferBytes: 1 << 26 })
  const ch = new Channel(stream)
  ch.send({ type: MsgType.Hello, version: PROTOCOL_VERSION, deviceId: from.id, addrs: [], roster: from.sync.roster.vector() })
  const received: Message[] = []
  let sawVault: () => void = () => {}
  const vault = new Promise<void>(resolve => {
    sawVault = resolve
  })
  void (async () => {
    for (;;) {
      const got = await ch.next().catch(() => undefined)
      if (got === undefined) return
      ch.processed(got.bytes)
      received.push(got.message)
      if (got.message.type === MsgType.Vault) sawVault()
    }
  })()
  await vault
  return { send: m => ch.send(m), received, close: async () => await ch.close(0) }
}
