/**
 * A small password-strength estimate for the meter: bits from the character pool and an effective
 * length that discounts repeats and runs (aaaa, abcd, 1234) and well-known passwords and words.
 * Not zxcvbn (which is 400 KB); enough to steer a person away from weak master passwords.
 */
export interface Strength {
  /** 0 very weak … 4 strong */
  score: 0 | 1 | 2 | 3 | 4
  label: string
  bits: number
}

const COMMON = [
  'password',
  'passwort',
  'motdepasse',
  'qwerty',
  'azerty',
  'letmein',
  'welcome',
  'admin',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'secret',
  'login',
  'abc123',
  '123456',
  '12345678',
  '111111',
  '000000',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'shadow',
  'superman',
  'trustno1',
  'starwars',
  'kith',
  'vault',
  'qazwsx',
  'zxcvbn'
]

const LABELS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const

function poolSize(pw: string): number {
  let pool = 0
  if (/[a-z]/.test(pw)) pool += 26
  if (/[A-Z]/.test(pw)) pool += 26
  if (/[0-9]/.test(pw)) pool += 10
  if (/[^a-zA-Z0-9\s]/.test(pw)) pool += 33
  if (/\s/.test(pw)) pool += 1
  if (/[^\p{ASCII}]/u.test(pw)) pool += 100
  return Math.max(pool, 1)
}

/** Length counted so that a character repeating or continuing a run adds only a quarter. */
function effectiveLength(pw: string): number {
  let length = 0
  for (let i = 0; i < pw.length; i++) {
    const c = pw.charCodeAt(i)
    const prev = i > 0 ? pw.charCodeAt(i - 1) : NaN
    const predictable = c === prev || c === prev + 1 || c === prev - 1
    length += predictable ? 0.25 : 1
  }
  return length
}

export function estimateStrength(pw: string): Strength {
  if (pw === '') return { score: 0, label: LABELS[0], bits: 0 }
  const lower = pw.toLowerCase()
  let bits = effectiveLength(pw) * Math.log2(poolSize(pw))
  for (const word of COMMON) if (lower.includes(word)) bits -= word.length * 3
  // a few distinct characters repeated many times is weak whatever its length
  const distinct = new Set(pw).size
  bits = Math.min(bits, distinct * 6 + 4)
  bits = Math.max(0, Math.round(bits))
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4
  return { score, label: LABELS[score], bits }
}
