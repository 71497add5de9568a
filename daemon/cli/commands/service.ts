/** kith service install [--dry-run] [--force] · kith service uninstall [--force] · kith service status */
import { allowOnly, has } from '../args.js'
import { AutostartError } from '../autostart/AutostartError.js'
import { installService, serviceStatus, uninstallService, type ServiceStatus } from '../autostart/ServiceInstaller.js'
import { serviceTarget } from '../autostart/serviceTarget.js'
import { CliError } from '../CliError.js'
import type { Command } from '../Command.js'
import { readDaemonInfo } from '../DaemonClient.js'

/** Runs `fn`, reporting an autostart failure as the CLI's error with its code. */
async function reported<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof AutostartError) throw new CliError(err.code, err.message)
    throw err
  }
}

const indent = (commands: string[]): string => commands.map(c => `  ${c}`).join('\n')

export const serviceInstallCommand: Command = {
  name: 'service install',
  usage: 'kith service install [--dry-run] [--force]',
  summary: 'start `kith daemon` for this home at login (systemd user unit on Linux, launchd agent on macOS)',
  help:
    'The unit runs this node binary and this install of Kith by absolute path, with no core dumps, no new\n' +
    'privileges and restart on failure; it holds no secret. --dry-run prints it and where it would go.\n' +
    '--force replaces a file at that path that kith did not write. Run it again after moving Kith or node.',
  async run({ args, home, out }) {
    allowOnly(args, [], ['dry-run', 'force'])
    await reported(async () => {
      const target = serviceTarget(home)
      if (has(args, 'dry-run')) {
        const commands = target.manager.enableCommands(target.path)
        out(`would write ${target.path} (mode 0600):\n\n${target.content}\nthen run:\n${indent(commands)}`, {
          dryRun: true,
          path: target.path,
          content: target.content,
          commands
        })
        return
      }
      const result = await installService(target, { force: has(args, 'force') })
      const running = await readDaemonInfo(home)
      const note =
        running === undefined
          ? ''
          : `\nnote: a daemon started by hand already runs for this home (pid ${running.pid}); the service cannot start until it stops (\`kith stop\`)`
      out(
        result.enabled
          ? `${result.replaced ? 'replaced' : 'installed'} ${result.path}: kith daemon starts at login and runs now${note}`
          : `wrote ${result.path}, but no ${target.manager.kind === 'systemd' ? 'user systemd' : 'launchd'} answered; to start it at login and now, run:\n${indent(result.commands)}${note}`,
        { ...result, home }
      )
    })
  }
}

export const serviceUninstallCommand: Command = {
  name: 'service uninstall',
  usage: 'kith service uninstall [--force]',
  summary: 'stop the login service and remove its unit',
  async run({ args, home, out }) {
    allowOnly(args, [], ['force'])
    await reported(async () => {
      const result = await uninstallService(serviceTarget(home), { force: has(args, 'force') })
      out(
        !result.removed
          ? `not installed (${result.path})`
          : result.commands.length === 0
            ? `removed ${result.path}`
            : `removed ${result.path}; the service manager did not answer: if it still runs, run:\n${indent(result.commands)}`,
        result
      )
    })
  }
}

function describe(s: ServiceStatus): string {
  if (!s.installed) return `not installed (${s.path})`
  if (!s.ours) return `${s.path} exists but was not written by kith service install`
  const lines = [`installed: ${s.path}${s.current ? '' : ' (written for another home or install: run `kith service install` again)'}`]
  if (!s.reachable) lines.push(`${s.manager === 'systemd' ? 'user systemd' : 'launchd'} did not answer: enabled and active unknown`)
  else lines.push(`enabled: ${s.enabled ? 'yes' : 'no'}`, `active: ${s.active ? 'yes' : 'no'}`)
  return lines.join('\n')
}

export const serviceStatusCommand: Command = {
  name: 'service status',
  usage: 'kith service status [--json]',
  summary: 'whether the login service is installed, enabled and running',
  async run({ args, home, out }) {
    allowOnly(args, [])
    await reported(async () => {
      const status = await serviceStatus(serviceTarget(home))
      out(describe(status), status)
    })
  }
}
