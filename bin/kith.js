#!/usr/bin/env node
// Entry for `kith`. Runs the bundle in dist/ when it is at least as new as every source file
// (npm install, npm start and npm test build it); otherwise runs the TypeScript sources through
// tsx, so a fresh edit is never shadowed by a stale bundle.
import { statSync, readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bundle = join(root, 'dist', 'kith.mjs')

function newestSource(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

let useBundle = false
try {
  useBundle = statSync(bundle).mtimeMs >= newestSource(join(root, 'daemon'))
} catch {}

if (useBundle) {
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'daemon', 'main.ts')).href)
}
