/** The libp2p adapter: the shared contract on real TCP + Noise + yamux over 127.0.0.1. */
import { Libp2pNetwork } from '../../daemon/network/libp2p/Libp2pNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { runNetworkContract } from './networkContract.js'

export function libp2pNode(identity = DeviceIdentity.generate()): Libp2pNetwork {
  return new Libp2pNetwork({ seed: identity.seed, publicKey: identity.publicKey, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
}

runNetworkContract('libp2p', async () => {
  const a = libp2pNode()
  const b = libp2pNode()
  a.setGate(() => true)
  b.setGate(() => true)
  await a.start()
  await b.start()
  return {
    a,
    b,
    teardown: async () => {
      await a.stop()
      await b.stop()
    }
  }
})
