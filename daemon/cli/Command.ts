/** What every `kith` command looks like, and the context it runs in. */
import type { ParsedArgs } from './args.js'

export interface CommandContext {
  args: ParsedArgs
  home: string
  json: boolean
  /** prints the result: the JSON value with --json, else the human text */
  out: (human: string, json: unknown) => void
}

export interface Command {
  /** e.g. 'vault list' */
  name: string
  usage: string
  summary: string
  /** more for `kith COMMAND --help`, after the summary */
  help?: string
  run: (ctx: CommandContext) => Promise<void>
}
