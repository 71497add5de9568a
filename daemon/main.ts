/**
 * Entry point of `kith`: runs the CLI; `kith daemon` keeps the process alive until a signal. A
 * daemon started without its runtime flags (from a terminal, `npm start`, a service unit) is
 * started again with them before anything else loads (runtime/reexecDaemon.ts).
 */
import './polyfills.js'
import { parseArgs } from './cli/args.js'
import { needsReexec, type RuntimeRole } from './runtime/daemonRuntime.js'

const argv = process.argv.slice(2)

/** The long-running command this is, if any: a backup peer has the daemon's memory flags and its own allocator setting. */
function runtimeRole(): RuntimeRole | undefined {
  try {
    const args = parseArgs(argv)
    const command = args.positionals[0]
    if (args.bools.has('help')) return undefined
    return command === 'daemon' || command === 'backup-peer' ? command : undefined
  } catch {
    return undefined // the CLI reports the usage error
  }
}

const role = runtimeRole()
const daemon = role !== undefined
if (role !== undefined && needsReexec(process.execArgv, process.env, role)) {
  const { reexecDaemon } = await import('./runtime/reexecDaemon.js')
  process.exitCode = await reexecDaemon(role)
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
