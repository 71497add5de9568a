/** Entry point of `kith`: runs the CLI; `kith daemon` keeps the process alive until a signal. */
import './polyfills.js'
import { runCli } from './cli/runCli.js'

const code = await runCli(process.argv.slice(2))
process.exitCode = code
if (process.argv[2] !== 'daemon') {
  // a CLI command is done: don't let a lingering socket keep the process alive
  setTimeout(() => process.exit(code), 10).unref()
}
