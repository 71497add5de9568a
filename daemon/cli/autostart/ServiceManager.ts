/**
 * The service manager a unit is handed to: systemd's user instance (`systemctl --user`) or launchd
 * (`launchctl`). When it cannot be reached (no user session bus, a container), nothing is run and
 * the person is told which commands to run.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

export interface ManagerState {
  /** whether the manager answered at all */
  reachable: boolean
  /** starts at login (systemd: enabled; launchd: loaded) */
  enabled: boolean
  /** running now */
  active: boolean
}

export type EnableOutcome = 'enabled' | 'unreachable' | 'failed'

export interface ServiceManager {
  readonly kind: 'systemd' | 'launchd'
  /** what a person runs to start the service at login and now */
  enableCommands(path: string): string[]
  /** what a person runs to stop it and forget it, before the file is removed */
  disableCommands(path: string): string[]
  /** enables and starts the unit at `path`: 'unreachable' when no manager answers, 'failed' when it refused */
  enable(path: string): Promise<EnableOutcome>
  /** where to look when it failed */
  diagnoseCommands(): string[]
  /** stops and disables it (before the file is removed); false when the manager cannot be reached */
  disable(path: string): Promise<boolean>
  /** after the file is gone: tell the manager (systemd's daemon-reload) */
  forget(): Promise<void>
  state(): Promise<ManagerState>
}

export interface RunResult {
  code: number
  stdout: string
}

const execFileAsync = promisify(execFile)

/** Runs a manager's command; a missing binary or a timeout is a failure (code -1), never an exception. */
export async function runTool(file: string, args: string[]): Promise<RunResult> {
  try {
    const { stdout } = await execFileAsync(file, args, { timeout: 15_000, encoding: 'utf8' })
    return { code: 0, stdout }
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: unknown }
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: typeof failed.stdout === 'string' ? failed.stdout : '' }
  }
}
