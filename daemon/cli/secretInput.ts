/**
 * Secret values for the CLI without argv (which every local process can read in /proc/PID/cmdline):
 * from a prompt that does not echo when standard input is a terminal, else one line each from
 * standard input, in the order asked.
 */
import { CliError, EXIT } from './CliError.js'
import { readStdinLines } from './stdin.js'

/** One line typed at the terminal, not echoed; Ctrl-C cancels. */
export function promptHidden(label: string): Promise<string> {
  const stdin = process.stdin
  // echo off before the prompt shows: whatever is typed once it is visible is not echoed
  stdin.setRawMode(true)
  process.stderr.write(`${label}: `)
  return new Promise((resolve, reject) => {
    const chars: string[] = []
    const finish = (): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') {
          finish()
          reject(new CliError('cancelled', 'cancelled', EXIT.usage))
          return
        }
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish()
          resolve(chars.join(''))
          return
        }
        if (ch === '\u007f' || ch === '\b') chars.pop()
        else chars.push(ch)
      }
    }
    stdin.on('data', onData)
    stdin.resume()
  })
}

/**
 * One value per label: prompted for on a terminal, else the successive lines of standard input.
 * An empty value is refused (a missing stdin line must not silently store an empty secret).
 */
export async function readSecrets(labels: string[]): Promise<string[]> {
  if (labels.length === 0) return []
  let values: string[]
  if (process.stdin.isTTY === true) {
    values = []
    for (const label of labels) values.push(await promptHidden(label))
  } else values = await readStdinLines(labels.length)
  values.forEach((value, i) => {
    if (value === '') throw new CliError('usage', `${labels[i] as string}: standard input line ${i + 1} is empty or missing`, EXIT.usage)
  })
  return values
}

/** The warning for a secret given on the command line. */
export function warnSecretInArgv(option: string, instead: string): void {
  process.stderr.write(
    `kith: warning: ${option} on the command line is visible to other processes and kept in shell history; use ${instead} instead\n`
  )
}

/**
 * A new master password typed twice at the terminal without echo; refused when the two differ or
 * it is shorter than `minLength`.
 */
export async function promptNewPassword(label = 'New master password', minLength = 8): Promise<string> {
  const first = await promptHidden(label)
  if (first.length < minLength) throw new CliError('usage', `the master password must have at least ${minLength} characters`, EXIT.usage)
  const again = await promptHidden('Repeat it')
  if (again !== first) throw new CliError('usage', 'the two passwords are not the same', EXIT.usage)
  return first
}
