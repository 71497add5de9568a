/**
 * Plays systemd-logind on a private bus (privateBus.ts): owns org.freedesktop.login1, answers the
 * session property `User`, and emits what logind emits when the machine goes to sleep
 * (Manager.PrepareForSleep), when a session is asked to lock (Session.Lock) and when a desktop
 * reports its screen locked (PropertiesChanged of LockedHint).
 */
import { connect, type Socket } from 'node:net'
import { decodeMessage, encodeMessage, messageLength, MessageType, type DbusMessage, type DbusValue } from './dbusMessage.js'

const LOGIND = 'org.freedesktop.login1'
const MANAGER_PATH = '/org/freedesktop/login1'
const sessionPath = (id: string): string => `/org/freedesktop/login1/session/${id}`

/** One authenticated connection to a bus at `unix:path=…`. */
export class DbusConnection {
  private serial = 0
  private buffer = Buffer.alloc(0)
  private readonly replies = new Map<number, (m: DbusMessage) => void>()
  onCall: (m: DbusMessage) => void = () => {}
  uniqueName = ''

  private constructor(private readonly socket: Socket) {}

  static async open(address: string): Promise<DbusConnection> {
    const path = /^unix:path=([^,]+)/.exec(address)?.[1]
    if (path === undefined) throw new Error(`only unix:path= addresses are supported: ${address}`)
    const socket = connect(path)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex')
    socket.write(`\0AUTH EXTERNAL ${uid}\r\n`)
    const answer = await new Promise<string>(resolve => socket.once('data', d => resolve(String(d))))
    if (!answer.startsWith('OK ')) throw new Error(`bus refused authentication: ${answer.trim()}`)
    socket.write('BEGIN\r\n')
    const conn = new DbusConnection(socket)
    socket.on('data', d => {
      conn.receive(d)
    })
    const hello = await conn.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'Hello'
    })
    conn.uniqueName = String(hello.body[0])
    return conn
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data])
    for (let len = messageLength(this.buffer); len !== undefined; len = messageLength(this.buffer)) {
      const m = decodeMessage(this.buffer.subarray(0, len))
      this.buffer = this.buffer.subarray(len)
      if ((m.type === MessageType.methodReturn || m.type === MessageType.error) && m.replySerial !== undefined) {
        this.replies.get(m.replySerial)?.(m)
        this.replies.delete(m.replySerial)
      } else if (m.type === MessageType.methodCall) this.onCall(m)
    }
  }

  send(m: Omit<DbusMessage, 'serial' | 'body'> & { body?: DbusValue[] }): number {
    this.serial += 1
    this.socket.write(encodeMessage({ ...m, serial: this.serial }))
    return this.serial
  }

  async call(m: Omit<DbusMessage, 'serial' | 'body' | 'type'> & { body?: DbusValue[] }): Promise<DbusMessage> {
    const serial = this.send({ ...m, type: MessageType.methodCall })
    const reply = await new Promise<DbusMessage>(resolve => this.replies.set(serial, resolve))
    if (reply.type === MessageType.error)
      throw new Error(`${m.member ?? ''} failed: ${reply.errorName ?? ''} ${String(reply.body[0] ?? '')}`)
    return reply
  }

  close(): void {
    this.socket.destroy()
  }
}

export class FakeLogind {
  /** session id → uid */
  private readonly sessions = new Map<string, number>()
  /** session paths whose `User` was asked for */
  readonly asked: string[] = []

  private constructor(private readonly conn: DbusConnection) {
    conn.onCall = m => {
      this.answer(m)
    }
  }

  /**
   * Connects to the bus at `address` and takes the name org.freedesktop.login1; with `impostor`
   * it does not, and its signals come from a process that is not logind.
   */
  static async start(address: string, options: { impostor?: boolean } = {}): Promise<FakeLogind> {
    const conn = await DbusConnection.open(address)
    if (options.impostor === true) return new FakeLogind(conn)
    const reply = await conn.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'RequestName',
      signature: 'su',
      body: [LOGIND, 4]
    })
    if (reply.body[0] !== 1) throw new Error(`could not own ${LOGIND} (RequestName answered ${String(reply.body[0])})`)
    return new FakeLogind(conn)
  }

  addSession(id: string, uid: number): void {
    this.sessions.set(id, uid)
  }

  private answer(m: DbusMessage): void {
    const id = m.path?.startsWith(sessionPath('')) === true ? m.path.slice(sessionPath('').length) : undefined
    const uid = id === undefined ? undefined : this.sessions.get(id)
    const reply = { destination: m.sender, replySerial: m.serial }
    if (
      m.interface === 'org.freedesktop.DBus.Properties' &&
      m.member === 'Get' &&
      uid !== undefined &&
      m.body[0] === 'org.freedesktop.login1.Session' &&
      m.body[1] === 'User'
    ) {
      this.asked.push(m.path ?? '')
      this.conn.send({
        ...reply,
        type: MessageType.methodReturn,
        signature: 'v',
        body: [['(uo)', [uid, `/org/freedesktop/login1/user/_${uid}`]]]
      })
      return
    }
    this.conn.send({
      ...reply,
      type: MessageType.error,
      errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
      signature: 's',
      body: [`no method ${m.interface ?? ''}.${m.member ?? ''} at ${m.path ?? ''}`]
    })
  }

  private emit(path: string, iface: string, member: string, signature = '', body: DbusValue[] = []): void {
    this.conn.send({ type: MessageType.signal, path, interface: iface, member, signature, body })
  }

  prepareForSleep(start: boolean): void {
    this.emit(MANAGER_PATH, 'org.freedesktop.login1.Manager', 'PrepareForSleep', 'b', [start])
  }

  /** What `loginctl lock-session ID` makes logind emit. */
  lockSession(id: string): void {
    this.emit(sessionPath(id), 'org.freedesktop.login1.Session', 'Lock')
  }

  /** What logind emits when a desktop calls SetLockedHint. */
  lockedHint(id: string, locked: boolean): void {
    this.emit(sessionPath(id), 'org.freedesktop.DBus.Properties', 'PropertiesChanged', 'sa{sv}as', [
      'org.freedesktop.login1.Session',
      [['LockedHint', ['b', locked]]],
      []
    ])
  }

  stop(): void {
    this.conn.close()
  }
}
