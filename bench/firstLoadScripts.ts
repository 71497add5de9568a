/**
 * The dashboard's first-load JavaScript: every script index.html names (the entry and what it
 * preloads), raw and gzip -9, as bench/dashboard.ts reports it and test/web-ui/bundle.test.ts
 * checks it. A chunk loaded by a dynamic import() is not first-load.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export interface ScriptSize {
  path: string
  raw: number
  gzip: number
}

/** The scripts index.html of a built dashboard (`distDir`, e.g. web-ui/dist) loads up front. */
export function firstLoadScripts(distDir: string): ScriptSize[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8')
  const paths = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(m => m[1] as string)
  return paths.map(p => {
    const body = readFileSync(join(distDir, p))
    return { path: p, raw: body.length, gzip: gzipSync(body, { level: 9 }).length }
  })
}
