/** The layer table in docs/architecture.md is the one dependency-cruiser enforces. */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/daemonProcess.js'

const require = createRequire(import.meta.url)

/** module → the modules its row allows, from the "Layers" table of docs/architecture.md */
function documentedLayers(): Record<string, string[]> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Layers'), doc.indexOf('\n## ', doc.indexOf('## Layers') + 1))
  const rows: Record<string, string[]> = {}
  for (const line of section.split('\n')) {
    const cells = line.split('|').map(c => c.trim())
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1]
    if (name === undefined) continue
    rows[name] = [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map(m => m[1] as string)
  }
  return rows
}

describe('architecture', () => {
  it('docs/architecture.md lists exactly the rows .dependency-cruiser.cjs enforces', () => {
    const config = require(join(REPO_ROOT, '.dependency-cruiser.cjs')) as { LAYERS: Record<string, string[]> }
    const documented = documentedLayers()
    expect(Object.keys(documented).length).toBeGreaterThan(10)
    expect(documented).toEqual(config.LAYERS)
  })

  it('every folder and top-level file of daemon/ has a row', async () => {
    const { readdirSync } = await import('node:fs')
    const config = require(join(REPO_ROOT, '.dependency-cruiser.cjs')) as { LAYERS: Record<string, string[]> }
    const entries = readdirSync(join(REPO_ROOT, 'daemon'), { withFileTypes: true })
      .map(e => (e.isDirectory() ? `${e.name}/` : e.name))
      .filter(e => e.endsWith('/') || e.endsWith('.ts'))
    for (const entry of entries) expect(Object.keys(config.LAYERS), `${entry} has no row`).toContain(entry)
  })
})
