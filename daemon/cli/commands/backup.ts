/** kith backup-peer · kith backup add (issue 13: a keyless always-on peer that relays and stores sealed records) */
import { listenForStopSignals } from '../stopSignals.js'
import { createLog } from '../../log.js'
import { allowOnly, flag, flagAll } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { toError } from '../../toError.js'
import { describeRuntime } from '../../runtime/daemonRuntime.js'

export const backupPeerCommand: Command = {
  name: 'backup-peer',
  usage: 'kith backup-peer [--http HOST:PORT] [--listen MULTIADDR]… [--announce MULTIADDR]… [--quota-mb N]',
  summary: 'run a keyless backup peer in the foreground: it relays for your devices and holds no key',
  async run({ args, home }) {
    allowOnly(args, ['http', 'listen', 'announce', 'quota-mb'])
    const quota = flag(args, 'quota-mb')
    if (quota !== undefined && !(/^\d+$/.test(quota) && Number(quota) >= 1))
      throw new CliError('usage', '--quota-mb takes a whole number of MiB per vault (at least 1)', EXIT.usage)
    const log = createLog()
    // main.ts has already started this process again with the backup peer's runtime if it lacked it
    log('info', describeRuntime(process.execArgv, process.env, 'backup-peer'))
    // loaded here, not with the CLI: a backup peer keeps only what it runs in memory (no device, no dashboard)
    const { BackupPeerDaemon } = await import('../../backupPeer.js')
    const peer = new BackupPeerDaemon({
      home,
      http: flag(args, 'http'),
      listen: flagAll(args, 'listen'),
      announce: flagAll(args, 'announce'),
      quotaBytes: quota === undefined ? undefined : Number(quota) * 1024 * 1024,
      log
    })
    const signals = listenForStopSignals()
    try {
      await peer.start()
    } catch (err) {
      throw new CliError(toError(err).name === 'StorageLockedError' ? 'home_in_use' : 'start_failed', toError(err).message)
    }
    await new Promise<void>(resolve => {
      let stopping = false
      const stop = (reason: string): void => {
        if (stopping) return
        stopping = true
        log('info', `${reason}, shutting down`)
        peer.stop().then(resolve, resolve)
      }
      signals.onStop(stop)
    })
  }
}

export const backupAddCommand: Command = {
  name: 'backup add',
  usage: 'kith backup add ADDRESS [--vault NAME] [--json]',
  summary: 'put a backup peer (the address `kith status` prints on it) on the roster; every device learns it',
  async run(ctx) {
    allowOnly(ctx.args, ['vault'])
    const address = ctx.args.positionals[0]
    if (address === undefined) throw new CliError('usage', 'usage: kith backup add ADDRESS [--vault NAME]', EXIT.usage)
    const client = await DaemonClient.connect(ctx.home)
    const view = await client.json(client.api.devices['backup-peers'].$post({ json: { address, vault: flag(ctx.args, 'vault') } }))
    ctx.out(`added backup peer ${view.id.slice(0, 16)} (${view.name})`, view)
  }
}
