/** The lookup functions bash and zsh completion share (plain `case`, so bash 3.2 on macOS runs them too). */
import { COMMON_FLAGS, groups, type CompletionModel } from './completionModel.js'

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`

export function posixCaseFunctions(model: CompletionModel): string {
  const lookup = (name: string, comment: string, rows: [string, string[]][], fallback: string): string[] => [
    `# ${comment}`,
    `${name}() {`,
    '  case "$1" in',
    ...rows.filter(([, words]) => words.length > 0).map(([key, words]) => `    ${quote(key)}) echo ${quote(words.join(' '))} ;;`),
    `    *) ${fallback} ;;`,
    '  esac',
    '}'
  ]
  return [
    `_kith_value_flags=${quote(` ${model.valueFlags.join(' ')} `)}`,
    '',
    '# true when "$1" names a command',
    '_kith_is_command() {',
    '  case "$1" in',
    `    ${model.commands.map(c => quote(c.name)).join('|')}) return 0 ;;`,
    '  esac',
    '  return 1',
    '}',
    ...lookup(
      '_kith_next',
      'the words that may follow "$1" ("" for the first word)',
      [['', model.next('')], ...groups(model).map((g): [string, string[]] => [g, model.next(g)])],
      'return 0'
    ),
    ...lookup(
      '_kith_flags',
      'the flags of command "$1"',
      model.commands.map(c => [c.name, c.flags]),
      `echo ${quote(COMMON_FLAGS.join(' '))}`
    ),
    ...lookup(
      '_kith_choices',
      'what the first argument of command "$1" may be',
      model.commands.map(c => [c.name, c.choices]),
      'return 0'
    )
  ].join('\n')
}
