/**
 * The API's HTTP server: binds a loopback address (`--http HOST:PORT`), falls back to any free port
 * when the default one is taken, closes a connection another user of the computer opened (peerUid.ts),
 * and on stop closes every open connection (event streams included) before the server itself.
 */
import { getRequestListener, serve, type ServerType } from '@hono/node-server'
import { createServer, type Server } from 'node:http'
import { chmod, lstat, rm } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { servesPeer } from './peerUid.js'
import { parseHttpAddress } from '../httpAddress.js'

export { DEFAULT_HTTP_PORT, HttpAddressError, parseHttpAddress } from '../httpAddress.js'

export type FetchHandler = (request: Request) => Response | Promise<Response>

export interface HttpServerOptions {
  /** HOST:PORT from --http; undefined means 127.0.0.1:DEFAULT_HTTP_PORT, or any free port if taken */
  address?: string
  /**
   * A Unix socket for the CLI (in the 0700 home, itself 0600): the same API, reachable by this user
   * only, on every platform. Skipped (with `socketPath` undefined afterwards) where the path is too
   * long for a socket.
   */
  socketPath?: string
}

/** sun_path holds 108 bytes on Linux, 104 on macOS */
const MAX_SOCKET_PATH = 100

export class HttpServer {
  private server: ServerType | undefined
  private socketServer: Server | undefined
  private boundPort = 0
  private readonly address: { host: string; port: number }
  /** the default port was taken, so another one is in use: said loudly (log, status, CLI), never quietly */
  portTaken: number | undefined

  constructor(private readonly options: HttpServerOptions = {}) {
    this.address = parseHttpAddress(options.address)
  }

  /** the bound port (0 before start) */
  get port(): number {
    return this.boundPort
  }
  /** the dashboard's and the API's origin */
  get url(): string {
    return `http://localhost:${this.boundPort}`
  }

  async start(fetch: FetchHandler): Promise<void> {
    const { host, port } = this.address
    try {
      await this.listen(fetch, host, port)
    } catch (err) {
      // the default port is a convenience (a stable dashboard URL); a second daemon takes any free one
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.options.address !== undefined) throw err
      await this.listen(fetch, host, 0)
      this.portTaken = port
    }
    await this.listenSocket(fetch)
  }

  /** the CLI's socket, once it listens */
  get socketPath(): string | undefined {
    return this.socketServer === undefined ? undefined : this.options.socketPath
  }

  private async listenSocket(fetch: FetchHandler): Promise<void> {
    const path = this.options.socketPath
    if (path === undefined || Buffer.byteLength(path) > MAX_SOCKET_PATH) return
    // a socket left by a daemon that was killed (this one holds the home's database lock now)
    const stale = await lstat(path).catch(() => undefined)
    if (stale?.isSocket() === true) await rm(path, { force: true })
    const server = createServer(getRequestListener(fetch))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => resolve())
    })
    await chmod(path, 0o600)
    this.socketServer = server
  }

  async stop(): Promise<void> {
    const socketServer = this.socketServer
    this.socketServer = undefined
    if (socketServer !== undefined) {
      socketServer.closeAllConnections()
      await new Promise<void>(resolve => socketServer.close(() => resolve()))
      if (this.options.socketPath !== undefined) await rm(this.options.socketPath, { force: true })
    }
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closeAll = (server as Server).closeAllConnections
    if (typeof closeAll === 'function') closeAll.call(server)
    await new Promise<void>(resolve => server.close(() => resolve()))
  }

  private async listen(fetch: FetchHandler, hostname: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch, hostname, port }, info => {
        this.boundPort = info.port
        this.server = server
        resolve()
      })
      // another user of this computer reaches 127.0.0.1 too: its connections close before any HTTP is read
      server.on('connection', (socket: Socket) => {
        if (!servesPeer(socket.remotePort, socket.localPort)) socket.destroy()
      })
      server.once('error', reject)
    })
  }
}
