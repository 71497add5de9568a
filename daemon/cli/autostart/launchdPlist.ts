/**
 * The launchd agent (macOS) that runs `kith daemon` at login: started at load, started again when
 * it exits with an error, umask 077 and no core files; its output goes to the home's daemon.log.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { daemonArgv, type DaemonLaunch } from './DaemonLaunch.js'

export const LAUNCHD_LABEL = 'org.kith.daemon'

/** The comment every plist Kith writes carries: how install and uninstall know the file is theirs. */
export const LAUNCHD_MARKER = '<!-- Written by `kith service install`; `kith service uninstall` removes it. -->'

export const launchdPlistPath = (userHome = homedir()): string => join(userHome, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)

const xml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;')
const str = (s: string): string => `<string>${xml(s)}</string>`

export function renderLaunchdPlist(launch: DaemonLaunch): string {
  const log = join(launch.home, 'daemon.log')
  const core = '\t\t<key>Core</key>\n\t\t<integer>0</integer>'
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    LAUNCHD_MARKER,
    '<plist version="1.0">',
    '<dict>',
    '\t<key>Label</key>',
    `\t${str(LAUNCHD_LABEL)}`,
    '\t<key>ProgramArguments</key>',
    '\t<array>',
    ...[launch.node, ...daemonArgv(launch)].map(a => `\t\t${str(a)}`),
    '\t</array>',
    '\t<key>EnvironmentVariables</key>',
    '\t<dict>',
    ...Object.entries(launch.env).flatMap(([k, v]) => [`\t\t<key>${xml(k)}</key>`, `\t\t${str(v)}`]),
    '\t</dict>',
    '\t<key>RunAtLoad</key>',
    '\t<true/>',
    '\t<key>KeepAlive</key>',
    '\t<dict>',
    '\t\t<key>SuccessfulExit</key>',
    '\t\t<false/>',
    '\t</dict>',
    '\t<key>ThrottleInterval</key>',
    '\t<integer>5</integer>',
    '\t<key>Umask</key>',
    '\t<integer>63</integer>',
    '\t<key>SoftResourceLimits</key>',
    '\t<dict>',
    core,
    '\t</dict>',
    '\t<key>HardResourceLimits</key>',
    '\t<dict>',
    core,
    '\t</dict>',
    '\t<key>StandardOutPath</key>',
    `\t${str(log)}`,
    '\t<key>StandardErrorPath</key>',
    `\t${str(log)}`,
    '</dict>',
    '</plist>',
    ''
  ].join('\n')
}
