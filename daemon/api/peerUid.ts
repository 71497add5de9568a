/**
 * Who is on the other end of a loopback connection (Linux): 127.0.0.1 is shared by every user of
 * the computer, so the API's TCP listener asks the kernel which uid owns the connecting socket —
 * its entry in /proc/net/tcp (or tcp6) has the client's port as its local port and ours as its
 * remote one — and closes a connection from another user before any HTTP is read.
 */
import { readFileSync } from 'node:fs'

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6']

/** The uid owning the client socket `clientPort` → `serverPort`; null when the tables cannot be read, undefined when no entry matches. */
export function loopbackPeerUid(clientPort: number, serverPort: number, tables: readonly string[] = TABLES): number | null | undefined {
  let readAny = false
  for (const table of tables) {
    let text: string
    try {
      text = readFileSync(table, 'latin1')
    } catch {
      continue
    }
    readAny = true
    const uid = findUid(text, clientPort, serverPort)
    if (uid !== undefined) return uid
  }
  return readAny ? undefined : null
}

/** Parses one table: `sl local_address rem_address st tx:rx tr:when retrnsmt uid …`, ports in hex. */
export function findUid(table: string, clientPort: number, serverPort: number): number | undefined {
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 8) continue
    const local = f[1] as string
    const remote = f[2] as string
    const port = (address: string): number => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16)
    if (port(local) === clientPort && port(remote) === serverPort) {
      const uid = Number(f[7])
      if (Number.isInteger(uid)) return uid
    }
  }
  return undefined
}

/**
 * Whether a loopback connection may be served: yes when the client socket belongs to this user
 * (or the platform cannot tell: no /proc, or no getuid), no when another user owns it or the
 * kernel lists no such connection.
 */
export function servesPeer(clientPort: number | undefined, serverPort: number | undefined, uid = process.getuid?.()): boolean {
  if (uid === undefined || process.platform !== 'linux') return true
  if (clientPort === undefined || serverPort === undefined) return false
  const owner = loopbackPeerUid(clientPort, serverPort)
  if (owner === null) return true
  return owner === uid
}
