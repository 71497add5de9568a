#!/usr/bin/env node
// Builds the dashboard (web-ui/dist) when it is missing or older than its sources. Runs after
// `npm install`, before `npm start` and before the browser tests. Never fails an install: without
// Vite (a production-only install) it explains how to build and exits 0.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const built = join(root, 'dist', 'index.html')
const force = process.argv.includes('--force')

function newest(path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let t = s.mtimeMs
  for (const name of readdirSync(path))
    if (name !== 'dist' && name !== 'node_modules' && name !== '.build-lock') t = Math.max(t, newest(join(path, name)))
  return t
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map(p => join(root, p)).filter(existsSync)
const upToDate = () => !force && existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))
if (upToDate()) process.exit(0)

// one build at a time (parallel test workers may all ask): a lock directory, stale after a minute
const lock = join(root, '.build-lock')
for (;;) {
  try {
    mkdirSync(lock)
    break
  } catch (err) {
    if (err.code !== 'EEXIST') throw err
    try {
      if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true })
    } catch {}
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }))
if (upToDate()) process.exit(0)

let vite
try {
  vite = await import('vite')
} catch {
  console.warn(
    'kith: the dashboard is not built and Vite is not installed; run `npm install` (with dev dependencies), then `npm run build:ui`'
  )
  process.exit(0)
}
const started = Date.now()
await vite.build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
console.error(`kith: built the dashboard into web-ui/dist in ${Date.now() - started} ms`)
