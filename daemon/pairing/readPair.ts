/** Reads one pairing message from a stream read, within a time limit. */
import { decodePair, type PairMessage } from './messages.js'
import { PairingError } from './errors.js'

/** `frame` is a pending `stream.read()`: a caller that must notice the stream ending early reads once, ahead. */
export async function readPair(frame: Promise<Uint8Array | undefined>, timeoutMs: number): Promise<PairMessage> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PairingError('the other device did not answer in time')), timeoutMs)
  })
  try {
    const bytes = await Promise.race([frame, timeout])
    if (bytes === undefined) throw new PairingError('the other device closed the pairing stream')
    return decodePair(bytes)
  } finally {
    clearTimeout(timer)
  }
}
