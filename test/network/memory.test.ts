import { MemoryNetwork } from '../../daemon/network/memory/MemoryNetwork.js'
import { DeviceIdentity } from '../../daemon/keyring/DeviceIdentity.js'
import { runNetworkContract } from './networkContract.js'

runNetworkContract('memory', async () => {
  const net = new MemoryNetwork()
  const a = net.adapter(DeviceIdentity.generate().deviceId)
  const b = net.adapter(DeviceIdentity.generate().deviceId)
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
