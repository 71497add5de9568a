/**
 * Files to and from the daemon without holding them in memory: an upload pipes a file into the
 * request, a download pipes the answer into a new 0600 file that replaces the target only once
 * every byte arrived (a broken download leaves nothing at the path).
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import { request, type IncomingMessage } from 'node:http'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { CliError, EXIT, exitCodeForHttp } from './CliError.js'
import { target, type DaemonInfo } from './DaemonClient.js'

type Connection = Pick<DaemonInfo, 'url' | 'token' | 'socket'>

async function errorOf(res: IncomingMessage): Promise<CliError> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  let error: { code?: string; message?: string } | undefined
  try {
    error = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string; message?: string } }).error
  } catch {}
  const code = error?.code ?? 'http_error'
  return new CliError(code, error?.message ?? `the daemon answered ${res.statusCode ?? 0}`, exitCodeForHttp(res.statusCode ?? 0, code))
}

function send(
  conn: Connection,
  method: string,
  path: string,
  headers: Record<string, string | number>
): { req: ReturnType<typeof request>; answer: Promise<IncomingMessage> } {
  let req!: ReturnType<typeof request>
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    req = request(
      {
        ...target(conn),
        method,
        path,
        headers: { Host: new URL(conn.url).host, Authorization: `Bearer ${conn.token}`, ...headers },
        timeout: 120_000
      },
      resolve
    )
    req.on('timeout', () => req.destroy(new Error('the daemon did not answer in time')))
    req.on('error', err =>
      reject(new CliError('daemon_unreachable', `cannot reach the daemon at ${conn.url}: ${err.message}`, EXIT.notRunning))
    )
  })
  return { req, answer }
}

/** Streams the file at `file` to `path` (POST); answers the daemon's JSON. */
export async function uploadFile(
  conn: Connection,
  path: string,
  file: string,
  size: number,
  headers: Record<string, string>
): Promise<unknown> {
  const { req, answer } = send(conn, 'POST', path, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, ...headers })
  // the daemon may answer (413) before it read everything: the answer wins over a broken pipe
  const piped = pipeline(createReadStream(file), req).catch(() => {})
  const res = await answer
  if ((res.statusCode ?? 0) >= 400) {
    req.destroy()
    throw await errorOf(res)
  }
  await piped
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
}

/** Streams the answer of GET `path` into a new private file at `out`; answers the bytes written. */
export async function downloadFile(conn: Connection, path: string, out: string): Promise<number> {
  const { req, answer } = send(conn, 'GET', path, {})
  req.end()
  const res = await answer
  if ((res.statusCode ?? 0) >= 400) throw await errorOf(res)
  const temp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.part`)
  let written = 0
  res.on('data', (c: Buffer) => {
    written += c.length
  })
  try {
    await pipeline(res, createWriteStream(temp, { flags: 'wx', mode: 0o600 }))
    const expected = Number(res.headers['content-length'])
    if (!res.complete || (Number.isFinite(expected) && written !== expected))
      throw new CliError('download_failed', 'the download broke off; nothing was written', EXIT.error)
    await rename(temp, out)
    return written
  } catch (err) {
    await unlink(temp).catch(() => {})
    if (err instanceof CliError) throw err
    throw new CliError('download_failed', `the download broke off (${(err as Error).message}); nothing was written`, EXIT.error)
  }
}
