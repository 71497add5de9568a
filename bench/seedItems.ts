/** Fills a running test daemon's Personal vault with `count` generated logins in one kith-json import (the dashboard benches). */
import type { TestDaemon } from '../test/helpers/daemonProcess.js'

export async function seedItems(daemon: TestDaemon, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({
    title: `Site ${i}`,
    username: `user${i}@example.com`,
    password: `pw-${i}-${Math.random().toString(36).slice(2)}`,
    urls: [`https://site${i}.example.com/login`],
    notes: '',
    totp: null,
    fields: [],
    tags: i % 10 === 0 ? ['ten'] : [],
    folder: i % 3 === 0 ? 'Work' : '',
    favorite: i % 50 === 0,
    trashed: false
  }))
  const file = Buffer.from(JSON.stringify({ format: 'kith-json', version: 1, vault: 'Personal', items }))
  const imported = await daemon.api('POST', '/api/import', { format: 'kith-json', data: file.toString('base64') })
  if (imported.body?.imported !== count) throw new Error(`import failed: ${JSON.stringify(imported.body).slice(0, 300)}`)
}
