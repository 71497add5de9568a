/**
 * The README's shell examples (issue 15 item 3, newcomer report F5/F15): every ```sh block parses in
 * bash, and none puts a master password on a command line or in shell history (no `echo '…' |` or
 * `printf '…' |` of a literal into a `--password-stdin` command).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/daemonProcess.js'

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map(m => m[1] as string)

describe('README shell examples', () => {
  it('has examples, and every one parses in bash', () => {
    expect(blocks.length).toBeGreaterThan(3)
    for (const block of blocks) {
      const res = spawnSync('bash', ['-n'], { input: block, encoding: 'utf8' })
      expect(res.status, `${res.stderr}\n${block}`).toBe(0)
    }
  })

  it('never pipes a literal secret into --password-stdin', () => {
    for (const block of blocks)
      for (const line of block.split('\n')) {
        if (!line.includes('--password-stdin')) continue
        expect(line, line).not.toMatch(/\b(echo|printf)\s+(['"])(?!%s)[^|]*\2[^|]*\|/)
      }
  })
})
