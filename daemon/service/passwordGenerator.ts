/** Password generator on the CSPRNG: chosen length and character classes, at least one of each. */
import { randomIndex } from '../crypto/random.js'
import { InvalidRequestError } from './errors.js'

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
