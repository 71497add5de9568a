/** A restarted daemon asks for the ports it had, so peers that remember its address find it again. */
import { describe, it, expect } from 'vitest'
import { preferPreviousPorts } from '../../daemon/network/listenAddresses.js'

describe('preferPreviousPorts', () => {
  it('reuses the port bound last time for each port-0 listen address', () => {
    expect(preferPreviousPorts(['/ip4/127.0.0.1/tcp/0'], ['/ip4/127.0.0.1/tcp/40123'])).toEqual(['/ip4/127.0.0.1/tcp/40123'])
    expect(preferPreviousPorts(['/ip4/0.0.0.0/tcp/0'], ['/ip4/127.0.0.1/tcp/4001', '/ip4/192.168.1.5/tcp/4001'])).toEqual([
      '/ip4/0.0.0.0/tcp/4001'
    ])
  })

  it('leaves explicit ports alone and has nothing to prefer without history', () => {
    expect(preferPreviousPorts(['/ip4/127.0.0.1/tcp/5000'], ['/ip4/127.0.0.1/tcp/40123'])).toBeUndefined()
    expect(preferPreviousPorts(['/ip4/127.0.0.1/tcp/0'], [])).toBeUndefined()
    expect(preferPreviousPorts(['/ip4/127.0.0.1/tcp/0'], ['/ip4/10.0.0.1/tcp/7000'])).toBeUndefined()
  })
})
