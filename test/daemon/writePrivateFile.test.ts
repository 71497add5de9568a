/** Exports are written to a file created new with mode 0600, never into an existing file that keeps its wider mode. */
import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writePrivateFile } from '../../daemon/cli/writePrivateFile.js'

describe('writePrivateFile', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-private-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('over an existing 0644 file: the result is 0600 with the new bytes, and no temporary file is left', async () => {
    const out = join(dir, 'export.json')
    await writeFile(out, 'old contents that were longer')
    await chmod(out, 0o644)
    await writePrivateFile(out, new TextEncoder().encode('secret'))
    expect((await stat(out)).mode & 0o777).toBe(0o600)
    expect(await readFile(out, 'utf8')).toBe('secret')
    expect(await readdir(dir)).toEqual(['export.json'])
  })

  it('with overwrite: false an existing file (even one that appeared after a check) is kept, and no temporary file is left', async () => {
    const out = join(dir, 'export.json')
    await writeFile(out, 'keep me')
    await expect(writePrivateFile(out, new TextEncoder().encode('secret'), { overwrite: false })).rejects.toMatchObject({ code: 'EEXIST' })
    expect(await readFile(out, 'utf8')).toBe('keep me')
    expect(await readdir(dir)).toEqual(['export.json'])
    const fresh = join(dir, 'fresh.json')
    await writePrivateFile(fresh, new TextEncoder().encode('secret'), { overwrite: false })
    expect((await stat(fresh)).mode & 0o777).toBe(0o600)
    expect(await readFile(fresh, 'utf8')).toBe('secret')
  })

  it('a new file is 0600', async () => {
    const out = join(dir, 'new.kith')
    await writePrivateFile(out, new Uint8Array([1, 2, 3]))
    expect((await stat(out)).mode & 0o777).toBe(0o600)
  })

  it('a symlink at the path is replaced, not written through', async () => {
    const victim = join(dir, 'victim')
    await writeFile(victim, 'untouched')
    await chmod(victim, 0o644)
    const out = join(dir, 'link')
    await symlink(victim, out)
    await writePrivateFile(out, new TextEncoder().encode('secret'))
    expect(await readFile(victim, 'utf8')).toBe('untouched')
    expect((await stat(out)).mode & 0o777).toBe(0o600)
  })

  it('a failure leaves nothing behind and says why', async () => {
    await expect(writePrivateFile(join(dir, 'missing', 'x'), new Uint8Array(1))).rejects.toThrow(/ENOENT/)
    expect(await readdir(dir)).toEqual([])
  })
})
