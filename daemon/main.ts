/**
 * Entry point of `kith`: runs the CLI; `kith daemon` keeps the process alive until a signal. A
 * daemon started without its runtime flags (from a terminal, `npm start`, a service unit) is
 * started again with them before anything else loads (runtime/reexecDaemon.ts).
 */
import './polyfills.js'
import { parseArgs } from './cli/args.js'
import { needsReexec } from './runtime/daemonRuntime.js'

const argv = process.argv.slice(2)

function isDaemonCommand(): boolean {
  try {
    const args = parseArgs(argv)
    // a backup peer is a long-running node too: the same runtime (memory flags, allocator setting)
    return (args.positionals[0] === 'daemon' || args.positionals[0] === 'backup-peer') && !args.bools.has('help')
  } catch {
    return false // the CLI reports the usage error
  }
}

const daemon = isDaemonCommand()
if (daemon && needsReexec()) {
  const { reexecDaemon } = await import('./runtime/reexecDaemon.js')
  process.exitCode = await reexecDaemon()
} else {
  const { runCli } = await import('./cli/runCli.js')
  const code = await runCli(argv)
  process.exitCode = code
  if (!daemon) {
    // A CLI command is done. Output to a pipe is written in pieces after write() returns: wait until
    // stdout and stderr have taken all of it (a 2 MB list or an export to stdout was cut short
    // otherwise), then exit without waiting for a lingering socket.
    const flushed = async (stream: NodeJS.WriteStream): Promise<void> => {
      await new Promise<void>(resolve =>
        stream.write('', () => {
          resolve()
        })
      )
    }
    await Promise.all([flushed(process.stdout), flushed(process.stderr)])
    setTimeout(() => process.exit(code), 10).unref()
  }
}
