/**
 * Secret values for the CLI without argv (which every local process can read in /proc/PID/cmdline):
 * from a prompt that does not echo when standard input is a terminal, else one line each from
 * standard input, in the order asked.
 */
import { CliError, EXIT } from './CliError.js'
import { readStdinLines } from './stdin.js'

/** What was typed past the end of the last answer (a fast typist, or a paste of several lines): the next prompt's start. */
let typedAhead = ''

/** One line typed at the terminal, not echoed; Ctrl-C cancels. */
export function promptHidden(label: string): Promise<string> {
  return promptLine(label, false)
}

/** One short answer typed at the terminal (a yes or no), echoed; shares what was typed ahead with the hidden prompts. */
export function promptVisible(label: string): Promise<string> {
  return promptLine(label, true)
}

function promptLine(label: string, echo: boolean): Promise<string> {
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
    /** true once the answer is complete (the rest of the text is kept for the next prompt) */
    const take = (text: string): boolean => {
      const all = [...text]
      for (let i = 0; i < all.length; i++) {
        const ch = all[i] as string
        if (ch === '\u0003') {
          finish()
          reject(new CliError('cancelled', 'cancelled', EXIT.usage))
          return true
        }
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          let rest = all.slice(i + 1).join('')
          if (ch === '\r' && rest.startsWith('\n')) rest = rest.slice(1)
          typedAhead = rest
          finish()
          resolve(chars.join(''))
          return true
        }
        if (ch === '\u007f' || ch === '\b') {
          if (chars.pop() !== undefined && echo) process.stderr.write('\b \b')
        } else {
          chars.push(ch)
          if (echo) process.stderr.write(ch)
        }
      }
      return false
    }
    const onData = (chunk: Buffer): void => {
      take(chunk.toString('utf8'))
    }
    const ahead = typedAhead
    typedAhead = ''
    if (take(ahead)) return
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
