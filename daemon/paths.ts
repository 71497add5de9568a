/** Where a home's files live: --home DIR, else $KITH_HOME, else $XDG_DATA_HOME/kith (~/.local/share/kith). */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return resolve(flag)
  if (env.KITH_HOME !== undefined && env.KITH_HOME !== '') return resolve(env.KITH_HOME)
  const xdg = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share')
  return join(xdg, 'kith')
}

export const homePaths = (home: string) => ({
  home,
  daemonJson: join(home, 'daemon.json'),
  /** the daemon's settings that every way of starting it reads (cli/DaemonConfig.ts) */
  config: join(home, 'config.json'),
  identity: join(home, 'identity.key'),
  db: join(home, 'db'),
  log: join(home, 'daemon.log'),
  /** the CLI's way in: HTTP over a Unix socket only this user can open */
  socket: join(home, 'daemon.sock'),
  /** exists once this device has keys: lets `kith status` answer without a daemon */
  initialized: join(home, 'initialized')
})
