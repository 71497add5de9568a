/** launchd (macOS), through `launchctl` in the user's GUI domain. */
import type { EnableOutcome, ManagerState, ServiceManager } from './ServiceManager.js'
import { runTool } from './ServiceManager.js'
import { LAUNCHD_LABEL } from './launchdPlist.js'

const domain = (): string => `gui/${process.getuid?.() ?? 0}`

export class Launchctl implements ServiceManager {
  readonly kind = 'launchd'

  enableCommands(path: string): string[] {
    return [`launchctl bootstrap ${domain()} ${path}`]
  }

  disableCommands(): string[] {
    return [`launchctl bootout ${domain()}/${LAUNCHD_LABEL}`]
  }

  async enable(path: string): Promise<EnableOutcome> {
    // an agent loaded before (an earlier install) is unloaded first, so the new file is read
    await runTool('launchctl', ['bootout', `${domain()}/${LAUNCHD_LABEL}`])
    const { code } = await runTool('launchctl', ['bootstrap', domain(), path])
    return code === 0 ? 'enabled' : code === -1 ? 'unreachable' : 'failed'
  }

  diagnoseCommands(): string[] {
    return [`launchctl print ${domain()}/${LAUNCHD_LABEL}`]
  }

  async disable(): Promise<boolean> {
    const res = await runTool('launchctl', ['bootout', `${domain()}/${LAUNCHD_LABEL}`])
    return res.code !== -1
  }

  async forget(): Promise<void> {}

  async state(): Promise<ManagerState> {
    const res = await runTool('launchctl', ['print', `${domain()}/${LAUNCHD_LABEL}`])
    if (res.code === -1) return { reachable: false, enabled: false, active: false }
    return { reachable: true, enabled: res.code === 0, active: /\bstate = running\b/.test(res.stdout) }
  }
}
