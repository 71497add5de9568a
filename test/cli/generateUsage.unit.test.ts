/**
 * `kith generate` (newcomer report F33): a length that is not a number, or out of range, or no
 * character class left, is a usage mistake: exit 2 with a line that says what was wrong.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EXIT } from '../../daemon/cli/CliError.js'
import { runCli } from '../../daemon/cli/runCli.js'

/** Runs the CLI in this process and returns its exit code and what it wrote. */
async function kith(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation(chunk => {
    stderr += String(chunk)
    return true
  })
  const code = await runCli(argv)
  vi.restoreAllMocks()
  return { code, stdout, stderr }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('kith generate', () => {
  it('exits 2 (usage) for --length abc, saying what it expected', async () => {
    const r = await kith('generate', '--length', 'abc')
    expect(r.code).toBe(EXIT.usage)
    expect(r.stderr).toContain('--length takes a whole number')
    expect(r.stdout).toBe('')
  })

  it('exits 2 for a length out of range and for no character class left', async () => {
    expect((await kith('generate', '--length', '3')).code).toBe(EXIT.usage)
    expect((await kith('generate', '--length', '12.5')).code).toBe(EXIT.usage)
    expect((await kith('generate', '--no-symbols', '--no-digits', '--no-upper', '--no-lower')).code).toBe(EXIT.usage)
  })

  it('still prints a password of the asked length', async () => {
    const r = await kith('generate', '--length', '30')
    expect(r.code).toBe(EXIT.ok)
    expect(r.stdout.trim()).toHaveLength(30)
  })
})
