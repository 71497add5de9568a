/** The generator on the CSPRNG: passwords of a chosen length and character classes (at least one of each), and passphrases of EFF words. */
import { randomIndex } from '../crypto/random.js'
import { InvalidRequestError } from './errors.js'
import { zxcvbnCommon } from './health/zxcvbnModules.js'

export interface GeneratorOptions {
  length?: number
  lower?: boolean
  upper?: boolean
  digits?: boolean
  symbols?: boolean
}

const CLASSES = {
  lower: 'abcdefghijkmnopqrstuvwxyz',
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  digits: '23456789',
  symbols: '!#$%&()*+,-./:;<=>?@[]^_{|}~'
} as const

/** The length when none is asked for (the dashboard's generator starts at the same). */
export const DEFAULT_PASSWORD_LENGTH = 24

export function generatePassword(options: GeneratorOptions = {}): string {
  const length = options.length ?? DEFAULT_PASSWORD_LENGTH
  if (!Number.isInteger(length) || length < 8 || length > 256) throw new InvalidRequestError('password length must be between 8 and 256')
  const chosen = (Object.keys(CLASSES) as Array<keyof typeof CLASSES>).filter(k => options[k] ?? true)
  if (chosen.length === 0) throw new InvalidRequestError('choose at least one character class')
  const all = chosen.map(k => CLASSES[k]).join('')
  const chars = chosen.map(k => pick(CLASSES[k]))
  while (chars.length < length) chars.push(pick(all))
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1)
    const t = chars[i] as string
    chars[i] = chars[j] as string
    chars[j] = t
  }
  return chars.join('')
}

const pick = (set: string): string => set[randomIndex(set.length)] as string

export interface PassphraseOptions {
  /** how many words (3–20; default 6) */
  words?: number
  /** what goes between the words: a short string, or 'digit' for a random digit in each gap (default '-') */
  separator?: string
  /** each word starts with a capital letter */
  capitalize?: boolean
}

export const DEFAULT_PASSPHRASE_WORDS = 6
const MAX_SEPARATOR_LENGTH = 3

/**
 * The EFF large wordlist (7,776 words, 12.9 bits each; CC BY 3.0 US, Electronic Frontier Foundation),
 * as zxcvbn-ts ships it in @zxcvbn-ts/language-common: no second copy, and the strength estimator
 * knows the same words. Loaded on first use.
 */
async function effLargeWordlist(): Promise<readonly string[]> {
  const { dictionary } = await zxcvbnCommon()
  return dictionary['diceware-common']
}

/** A passphrase of random words from the EFF large wordlist, on the CSPRNG. */
export async function generatePassphrase(options: PassphraseOptions = {}): Promise<string> {
  const count = options.words ?? DEFAULT_PASSPHRASE_WORDS
  if (!Number.isInteger(count) || count < 3 || count > 20) throw new InvalidRequestError('a passphrase has between 3 and 20 words')
  const separator = options.separator ?? '-'
  if (separator.length > MAX_SEPARATOR_LENGTH && separator !== 'digit')
    throw new InvalidRequestError(`the separator is at most ${MAX_SEPARATOR_LENGTH} characters (or "digit" for a random digit)`)
  const list = await effLargeWordlist()
  const words = Array.from({ length: count }, () => {
    const word = list[randomIndex(list.length)] as string
    return options.capitalize === true ? word.charAt(0).toUpperCase() + word.slice(1) : word
  })
  if (separator !== 'digit') return words.join(separator)
  return words.reduce((phrase, word) => `${phrase}${randomIndex(10)}${word}`)
}
