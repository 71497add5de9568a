/** The login service of this platform for one home: systemd on Linux, launchd on macOS. */
import { UnsupportedPlatformError } from './AutostartError.js'
import { currentLaunch } from './DaemonLaunch.js'
import { Launchctl } from './Launchctl.js'
import { LAUNCHD_MARKER, launchdPlistPath, renderLaunchdPlist } from './launchdPlist.js'
import type { ServiceTarget } from './ServiceInstaller.js'
import { SystemctlUser } from './SystemctlUser.js'
import { SYSTEMD_MARKER, renderSystemdUnit, systemdUnitPath } from './systemdUnit.js'

export function serviceTarget(
  home: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env
): ServiceTarget {
  const launch = currentLaunch(home)
  if (platform === 'linux')
    return { path: systemdUnitPath(env), content: renderSystemdUnit(launch), marker: SYSTEMD_MARKER, home, manager: new SystemctlUser() }
  if (platform === 'darwin')
    return { path: launchdPlistPath(), content: renderLaunchdPlist(launch), marker: LAUNCHD_MARKER, home, manager: new Launchctl() }
  throw new UnsupportedPlatformError(platform)
}
