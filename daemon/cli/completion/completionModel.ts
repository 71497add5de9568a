/**
 * What shell completion knows, read from the command table (commands/index.ts): the command
 * words, each command's flags (from its usage line; `[same flags as kith X]` borrows X's), which
 * flags take a value (`--flag VALUE`), and the words a first argument may be (`a|b|c`, or a
 * `FORMAT: …` line).
 */
import type { Command } from '../Command.js'

export interface CommandCompletion {
  /** e.g. 'vault list' */
  name: string
  summary: string
  /** with their dashes, the common ones (--home --json --help) included */
  flags: string[]
  /** what the first argument after the command may be */
  choices: string[]
}

export interface CompletionModel {
  commands: CommandCompletion[]
  /** every flag that takes a value, with its dashes */
  valueFlags: string[]
  /** the words that may follow `prefix` ('' for the first word): subcommands */
  next: (prefix: string) => string[]
}

export const COMMON_FLAGS = ['--home', '--json', '--help']
const WORD = /^[a-z0-9][a-z0-9-]*$/

const unique = (list: string[]): string[] => [...new Set(list)]

function usageFlags(usage: string): { flags: string[]; valued: string[] } {
  const flags = [...usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map(m => `--${m[1]}`)
  const valued = [...usage.matchAll(/--([a-z][a-z0-9-]*)[ =][A-Z]/g)].map(m => `--${m[1]}`)
  return { flags, valued }
}

function choices(command: Command): string[] {
  const rest = command.usage.split('\n')
  const first =
    (rest[0] ?? '')
      .replace(/^kith /, '')
      .slice(command.name.length)
      .trim()
      .split(/\s+/)[0] ?? ''
  const alternatives = first.includes('|') ? first.split('|') : []
  const listed = rest.slice(1).flatMap(line => /^\s*[A-Z]+:\s+(.*)$/.exec(line)?.[1]?.split(/\s+/) ?? [])
  return [...alternatives, ...listed].filter(w => WORD.test(w))
}

export function completionModel(table: readonly Command[]): CompletionModel {
  const byName = new Map(table.map(c => [c.name, c]))
  const ownFlags = (c: Command): ReturnType<typeof usageFlags> => {
    const own = usageFlags(c.usage)
    const borrowed = /same flags as kith ([a-z ]+?)\]/.exec(c.usage)?.[1]
    const from = borrowed === undefined ? undefined : byName.get(borrowed)
    if (from === undefined || from === c) return own
    const other = usageFlags(from.usage)
    return { flags: [...own.flags, ...other.flags], valued: [...own.valued, ...other.valued] }
  }
  const named = table.filter(c => c.name.split(' ').every(w => WORD.test(w)))
  const commands = named.map(c => ({
    name: c.name,
    summary: c.summary,
    flags: unique([...ownFlags(c).flags, ...COMMON_FLAGS]),
    choices: unique(choices(c))
  }))
  const valueFlags = unique(['--home', ...named.flatMap(c => ownFlags(c).valued)])
  const next = (prefix: string): string[] =>
    unique(
      named
        .map(c => c.name.split(' '))
        .filter(words => words.length > 1 || prefix === '')
        .filter(words => (prefix === '' ? true : words.slice(0, -1).join(' ') === prefix))
        .map(words => (prefix === '' ? (words[0] as string) : (words.at(-1) as string)))
    )
  return { commands, valueFlags, next }
}

/** Every prefix that has subcommands ('vault', 'pair', 'devices'). */
export const groups = (model: CompletionModel): string[] =>
  unique(model.commands.filter(c => c.name.includes(' ')).map(c => c.name.split(' ').slice(0, -1).join(' ')))
