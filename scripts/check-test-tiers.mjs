#!/usr/bin/env node
// Fails unless every test file under test/ runs in exactly one tier (vitest project). Asks vitest
// itself (`vitest list`), so it checks the globs of vitest.config.ts as vitest reads them.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const toPosix = p => p.split(sep).join('/')

function testFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(path))
    else if (entry.name.endsWith('.test.ts')) out.push(toPosix(relative(root, path)))
  }
  return out
}

const listed = JSON.parse(
  execFileSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'list', '--filesOnly', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024
  })
)
const tiersOf = new Map()
for (const { file, projectName } of listed) {
  const key = toPosix(relative(root, file))
  tiersOf.set(key, [...(tiersOf.get(key) ?? []), projectName])
}

const problems = []
const counts = {}
for (const file of testFiles(join(root, 'test'))) {
  const tiers = tiersOf.get(file) ?? []
  if (tiers.length !== 1) problems.push(`${file}: ${tiers.length === 0 ? 'in no tier' : `in ${tiers.join(' and ')}`}`)
  for (const t of tiers) counts[t] = (counts[t] ?? 0) + 1
}
if (problems.length > 0) {
  console.error(`test tiers: every test file must run in exactly one tier (test/helpers/tiers.ts):\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `test tiers: ${Object.entries(counts)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')} files`
)
