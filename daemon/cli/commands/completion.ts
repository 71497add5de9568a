/** kith completion bash|zsh|fish: a completion script made from the command table. */
import { allowOnly } from '../args.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { bashCompletion } from '../completion/bashCompletion.js'
import { completionModel } from '../completion/completionModel.js'
import { fishCompletion } from '../completion/fishCompletion.js'
import { zshCompletion } from '../completion/zshCompletion.js'

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const

/** The command, given the table it describes (passed lazily: the table includes this command). */
export function completionCommand(table: () => readonly Command[]): Command {
  return {
    name: 'completion',
    usage: 'kith completion bash|zsh|fish',
    summary: 'print a shell completion script',
    help: 'bash: source <(kith completion bash)   zsh: source <(kith completion zsh) after compinit\nfish: kith completion fish > ~/.config/fish/completions/kith.fish',
    async run({ args }) {
      allowOnly(args, [])
      const shell = args.positionals[0]
      if (shell === undefined || !Object.hasOwn(SHELLS, shell))
        throw new CliError('usage', 'usage: kith completion bash|zsh|fish', EXIT.usage)
      process.stdout.write(SHELLS[shell as keyof typeof SHELLS](completionModel(table())))
    }
  }
}
