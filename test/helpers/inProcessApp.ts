/** Builds the API app in-process over a memory-backed service: no port, no daemon. */
import { createApp } from '../../daemon/api/createApp.js'
import { eventSourceFrom } from '../../daemon/api/routes/events.js'
import { memoryService, PASSWORD } from './memoryDevice.js'

export const PORT = 47001
export const TOKEN = 'test-token-0123456789abcdef'

export async function inProcessApp (options: { init?: boolean } = {}) {
  const { service, storage, device } = await memoryService()
  if (options.init !== false) await service.init(PASSWORD)
  const app = createApp({
    service,
    token: TOKEN,
    port: () => PORT,
    status: () => ({ running: true, initialized: service.initialized, locked: !service.unlocked }),
    events: eventSourceFrom(device.feeds)
  })
  const request = async (method: string, path: string, init: { body?: unknown, raw?: string, headers?: Record<string, string> } = {}): Promise<Response> => {
    const headers: Record<string, string> = { host: `localhost:${PORT}`, authorization: `Bearer ${TOKEN}`, ...init.headers }
    let body: string | undefined
    if (init.raw !== undefined) body = init.raw
    else if (init.body !== undefined) { body = JSON.stringify(init.body); headers['content-type'] ??= 'application/json' }
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k]
    return await app.request(`http://localhost:${PORT}${path}`, { method, headers, body })
  }
  return { app, service, device, storage, request }
}
