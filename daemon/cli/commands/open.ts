/**
 * kith open: prints the dashboard's address and, while the vault is unlocked, a one-time login link
 * (the code rides in the URL fragment, which browsers never send to a server; it works once, for
 * 60 seconds). Opens a browser when one is available and never fails when none is. The browser is
 * handed a 0600 redirect file in the home, never the link: a command line is readable by every local
 * process (/proc/PID/cmdline), the file only by this user.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { accessSync, constants } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { allowOnly, has } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import type { Command } from '../Command.js'
import { redirectFileLifetimeMs, removeLater, sweepRedirectFiles, writeRedirectFile } from '../loginRedirectFile.js'

/** The first executable called `name` on PATH. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** How to open a URL here: $BROWSER, else the platform's opener (xdg-open only with a display). */
export function browserCommand(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] | undefined {
  const browser = env.BROWSER?.split(':')[0]?.trim()
  if (browser !== undefined && browser !== '') return [browser]
  if (platform === 'darwin') return ['open']
  if (platform === 'win32') return ['cmd', '/c', 'start', '""']
  if ((env.DISPLAY ?? '') === '' && (env.WAYLAND_DISPLAY ?? '') === '') return undefined
  const opener = onPath('xdg-open', env)
  return opener === undefined ? undefined : [opener]
}

/** Starts the browser detached on `target`; resolves false (never throws) when it cannot be started. */
async function startBrowser(command: string[], target: string): Promise<boolean> {
  const [file, ...args] = command as [string, ...string[]]
  try {
    const child = spawn(file, [...args, target], { detached: true, stdio: 'ignore' })
    // rejects when the program cannot be started ('error' before 'spawn')
    await once(child, 'spawn')
    child.unref()
    return true
  } catch {
    return false
  }
}

/**
 * Opens `url` in a browser. A login link (`secret`) goes through a redirect file in `home` that is
 * deleted once the code has expired (at once when no browser starts); a plain address goes as is.
 */
export async function openBrowser(url: string, secret: boolean, home: string): Promise<boolean> {
  const command = browserCommand()
  if (command === undefined) return false
  if (!secret) return startBrowser(command, url)
  const lifetime = redirectFileLifetimeMs()
  await sweepRedirectFiles(home, lifetime)
  const path = await writeRedirectFile(home, url)
  const opened = await startBrowser(command, pathToFileURL(path).href)
  if (opened) removeLater(path, lifetime)
  else await unlink(path).catch(() => undefined)
  return opened
}

export const openCommand: Command = {
  name: 'open',
  usage: 'kith open [--no-open] [--json]',
  summary: 'print (and open in a browser) the dashboard address, with a one-time login link while unlocked',
  async run(ctx) {
    allowOnly(ctx.args, [], ['no-open'])
    const client = await DaemonClient.connect(ctx.home)
    const status = await client.json(client.api.status.$get())
    if (typeof status.dashboardPortTaken === 'number')
      process.stderr.write(
        `kith: warning: port ${status.dashboardPortTaken} was taken by something else, so this daemon's dashboard is at ${String(status.url)}; the page at localhost:${status.dashboardPortTaken} is not this Kith (set a port with \`kith config set http 127.0.0.1:PORT\`)\n`
      )
    let url = `${status.url}/`
    let expiresAt: string | null = null
    if (status.initialized && !status.locked) {
      const link = await client.json(client.api.session.link.$post())
      url = link.url
      expiresAt = link.expiresAt
    }
    const opened = has(ctx.args, 'no-open') ? false : await openBrowser(url, expiresAt !== null, ctx.home)
    const note =
      expiresAt !== null
        ? 'This login link works once, within 60 seconds.'
        : status.initialized
          ? 'The vault is locked: the page asks for the master password.'
          : 'This device is not set up yet: the page offers to create a vault or join one.'
    ctx.out(`${url}\n${note}${opened ? '\nOpened in your browser.' : ''}`, { url, login: expiresAt !== null, expiresAt, opened })
  }
}
