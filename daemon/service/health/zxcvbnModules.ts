/**
 * Loads zxcvbn-ts and its dictionaries on first use (a chunk of their own in the bundle). The
 * packages' CommonJS builds are what the daemon's bundle takes: there an `import()` answers the
 * exports under `default`, under tsx and plain Node by name; both are accepted.
 */
import { createRequire } from 'node:module'

type CoreModule = typeof import('@zxcvbn-ts/core')
type CommonModule = typeof import('@zxcvbn-ts/language-common')
type EnglishModule = typeof import('@zxcvbn-ts/language-en')

function named<T extends object>(mod: T, key: keyof T): T {
  if (mod[key] !== undefined) return mod
  const fallback = (mod as { default?: T }).default
  if (fallback === undefined || fallback[key] === undefined) throw new Error(`zxcvbn-ts: the module has no export ${String(key)}`)
  return fallback
}

export async function zxcvbnCore(): Promise<CoreModule> {
  return named(await import('@zxcvbn-ts/core'), 'ZxcvbnFactory')
}

export async function zxcvbnCommon(): Promise<CommonModule> {
  return named(await import('@zxcvbn-ts/language-common'), 'dictionary')
}

export async function zxcvbnEnglish(): Promise<EnglishModule> {
  return named(await import('@zxcvbn-ts/language-en'), 'dictionary')
}

/** Where the packages' CommonJS builds are, for a worker thread that loads them itself (ScoreWorker). */
export function zxcvbnModulePaths(): { core: string; common: string; en: string } {
  const require = createRequire(import.meta.url)
  return {
    core: require.resolve('@zxcvbn-ts/core'),
    common: require.resolve('@zxcvbn-ts/language-common'),
    en: require.resolve('@zxcvbn-ts/language-en')
  }
}
