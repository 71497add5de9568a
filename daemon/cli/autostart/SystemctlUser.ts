/** systemd's user instance, through `systemctl --user`. */
import type { EnableOutcome, ManagerState, ServiceManager } from './ServiceManager.js'
import { runTool } from './ServiceManager.js'
import { SYSTEMD_UNIT_NAME } from './systemdUnit.js'

const systemctl = async (...args: string[]) => await runTool('systemctl', ['--user', ...args])

export class SystemctlUser implements ServiceManager {
  readonly kind = 'systemd'

  enableCommands(): string[] {
    return ['systemctl --user daemon-reload', `systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`]
  }

  disableCommands(): string[] {
    return [`systemctl --user disable --now ${SYSTEMD_UNIT_NAME}`]
  }

  async enable(): Promise<EnableOutcome> {
    // daemon-reload fails when no user manager answers: then nothing else is tried
    if ((await systemctl('daemon-reload')).code !== 0) return 'unreachable'
    return (await systemctl('enable', '--now', SYSTEMD_UNIT_NAME)).code === 0 ? 'enabled' : 'failed'
  }

  diagnoseCommands(): string[] {
    return [`systemctl --user status ${SYSTEMD_UNIT_NAME}`, 'journalctl --user -u kith']
  }

  async disable(): Promise<boolean> {
    if ((await systemctl('daemon-reload')).code !== 0) return false
    await systemctl('disable', '--now', SYSTEMD_UNIT_NAME)
    return true
  }

  async forget(): Promise<void> {
    await systemctl('daemon-reload')
  }

  async state(): Promise<ManagerState> {
    // is-enabled reads unit files even with no manager running: ask the manager itself first
    if ((await systemctl('show', '--property=Version')).code !== 0) return { reachable: false, enabled: false, active: false }
    // is-enabled and is-active print their answer and exit non-zero for "no"
    const enabled = (await systemctl('is-enabled', SYSTEMD_UNIT_NAME)).stdout.trim()
    const active = (await systemctl('is-active', SYSTEMD_UNIT_NAME)).stdout.trim()
    return { reachable: true, enabled: enabled === 'enabled', active: active === 'active' }
  }
}
