/**
 * The file `kith open` hands the browser instead of the login link (as Jupyter does): a 0600 HTML
 * page in the 0700 home that redirects to the link. Only the file's path reaches the browser's
 * command line, which every local process can read in /proc/PID/cmdline; the one-time code stays in
 * a file only this user can read. A detached helper deletes the file once the code has expired,
 * and each `kith open` sweeps files a killed helper left behind.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { open, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'

const PREFIX = 'open-'
const SUFFIX = '.html'

/** How long the file lives: the login code's own lifetime (KITH_OPEN_FILE_MS shortens it in tests). */
export function redirectFileLifetimeMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.KITH_OPEN_FILE_MS)
  return Number.isFinite(ms) && ms > 0 ? ms : 60_000
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** The page: an inline location.replace (no history entry), a meta refresh and a link as fallbacks. */
function redirectPage(url: string): string {
  const attr = escapeHtml(url)
  const literal = JSON.stringify(url).replace(/</g, '\\u003c')
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${attr}">
<title>Kith</title>
<script>location.replace(${literal})</script>
</head><body><p><a href="${attr}">Open the Kith dashboard</a></p></body></html>
`
}

/** Creates HOME/open-RANDOM.html, new (O_EXCL) and 0600, holding the redirect to `url`; returns its path. */
export async function writeRedirectFile(home: string, url: string): Promise<string> {
  const path = join(home, `${PREFIX}${randomBytes(16).toString('hex')}${SUFFIX}`)
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600)
  try {
    // the mode given to open() is masked by the umask; set it exactly
    await file.chmod(0o600)
    await file.writeFile(redirectPage(url), 'utf8')
  } finally {
    await file.close()
  }
  return path
}

/** Deletes `path` after `ms` from a small detached process (whose argv holds the path, never the code). */
export function removeLater(path: string, ms: number): void {
  const script = 'setTimeout(() => { try { require("node:fs").unlinkSync(process.argv[1]) } catch {} }, Number(process.argv[2]))'
  try {
    spawn(process.execPath, ['-e', script, path, String(ms)], { detached: true, stdio: 'ignore' }).unref()
  } catch {}
}

/** Deletes redirect files older than their lifetime (left behind when the helper was killed). */
export async function sweepRedirectFiles(home: string, ms: number, now = Date.now()): Promise<void> {
  let names: string[]
  try {
    names = await readdir(home)
  } catch {
    return
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) continue
    const path = join(home, name)
    try {
      if (now - (await stat(path)).mtimeMs > ms) await unlink(path)
    } catch {}
  }
}
