/**
 * The systemd user unit that runs `kith daemon` at login, hardened: no core dumps, no new
 * privileges, a private /tmp, the file system read-only but for the home, and system calls, address
 * families and personalities restricted. MemoryDenyWriteExecute is left out on purpose: V8 writes
 * and runs machine code (its JIT) and the daemon would crash.
 */
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { daemonArgv, type DaemonLaunch } from './DaemonLaunch.js'

export const SYSTEMD_UNIT_NAME = 'kith.service'

/** The first line of every unit Kith writes: how install and uninstall know the file is theirs. */
export const SYSTEMD_MARKER = '# Written by `kith service install`; `kith service uninstall` removes it.'

/** ~/.config/systemd/user/kith.service, or under $XDG_CONFIG_HOME when it is absolute (the XDG rule). */
export function systemdUnitPath(env: NodeJS.ProcessEnv = process.env, userHome = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME
  const config = xdg !== undefined && isAbsolute(xdg) ? xdg : join(userHome, '.config')
  return join(config, 'systemd', 'user', SYSTEMD_UNIT_NAME)
}

/** One word of a unit setting: `%` specifiers escaped, `$` too in a command line; quoted when it has white space. */
function word(value: string, command: boolean): string {
  let v = value.replaceAll('%', '%%')
  if (command) v = v.replaceAll('$', '$$$$')
  return /\s/.test(v) ? `"${v}"` : v
}

const underTmp = (path: string): boolean => /^\/(var\/)?tmp(\/|$)/.test(path)

export function renderSystemdUnit(launch: DaemonLaunch): string {
  const exec = [launch.node, ...daemonArgv(launch)].map(w => word(w, true)).join(' ')
  const env = Object.entries(launch.env).map(([k, v]) => `Environment=${word(`${k}=${v}`, false)}`)
  return [
    SYSTEMD_MARKER,
    '[Unit]',
    `Description=Kith password vault daemon (home ${launch.home.replaceAll('%', '%%')})`,
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec}`,
    ...env,
    'Restart=on-failure',
    'RestartSec=5',
    'UMask=0077',
    'LimitCORE=0',
    'NoNewPrivileges=yes',
    // a private /tmp would hide a home kept under /tmp or /var/tmp
    ...(underTmp(launch.home) ? [] : ['PrivateTmp=yes']),
    'ProtectSystem=strict',
    `ReadWritePaths=${word(launch.home, false)}`,
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'LockPersonality=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallErrorNumber=EPERM',
    '',
    '[Install]',
    'WantedBy=default.target',
    ''
  ].join('\n')
}
