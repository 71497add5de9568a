/** Entry point of `kith`: runs the CLI; `kith daemon` keeps the process alive until a signal. */
import './polyfills.js'
import { runCli } from './cli/runCli.js'

const code = await runCli(process.argv.slice(2))
process.exitCode = code
if (process.argv[2] !== 'daemon') {
  // A CLI command is done. Output to a pipe is written in pieces after write() returns: wait until
  // stdout and stderr have taken all of it (a 2 MB list or an export to stdout was cut short
  // otherwise), then exit without waiting for a lingering socket.
  const flushed = async (stream: NodeJS.WriteStream): Promise<void> => { await new Promise<void>(resolve => stream.write('', () => { resolve() })) }
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  setTimeout(() => process.exit(code), 10).unref()
}
