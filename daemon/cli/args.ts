/** A small argv parser: positionals, `--flag value`, `--flag=value`, repeatable flags and booleans. */
export interface ParsedArgs {
  positionals: string[]
  flags: Map<string, string[]>
  bools: Set<string>
}

/** Flags that never take a value. */
export const BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'json',
  'password-stdin',
  'recovery-key-stdin',
  'totp-stdin',
  'generate',
  'no-mdns',
  'mdns',
  'help',
  'dry-run',
  'force',
  'with-added',
  'yes',
  'trashed',
  'hidden',
  'purge',
  'no-open',
  'browser',
  'foreground',
  'no-symbols',
  'no-digits',
  'no-upper',
  'no-lower',
  'restore',
  'quiet',
  'no-idle-gc',
  'allow-weak',
  'passphrase',
  'capitalize'
])

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The first `n` positionals, each non-empty; a usage error naming `usage` otherwise. */
export function positionals(a: ParsedArgs, n: number, usage: string): string[] {
  const values = a.positionals.slice(0, n)
  if (values.length < n || values.some(v => v === '')) throw new UsageError(`usage: ${usage}`)
  return values
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = []
  const flags = new Map<string, string[]>()
  const bools = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h') {
      bools.add('help')
      continue
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`)
      bools.add(name)
      continue
    }
    let value: string | undefined
    if (eq >= 0) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      if (value === undefined) throw new UsageError(`--${name} needs a value`)
      i++
    }
    const list = flags.get(name) ?? []
    list.push(value)
    flags.set(name, list)
  }
  return { positionals, flags, bools }
}

export const flag = (a: ParsedArgs, name: string): string | undefined => a.flags.get(name)?.at(-1)
export const flagAll = (a: ParsedArgs, name: string): string[] => a.flags.get(name) ?? []
export const has = (a: ParsedArgs, name: string): boolean => a.bools.has(name)

/** Refuses flags the command does not know, so a typo is an error, not a silent no-op. */
export function allowOnly(a: ParsedArgs, valued: string[], booleans: string[] = []): void {
  const common = ['home', 'json', 'help']
  for (const name of a.flags.keys()) if (!valued.includes(name) && !common.includes(name)) throw new UsageError(`unknown option --${name}`)
  for (const name of a.bools) if (!booleans.includes(name) && !common.includes(name)) throw new UsageError(`unknown option --${name}`)
}
