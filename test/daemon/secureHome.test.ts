/**
 * The home on a shared computer (issue 11): tightened when an older version left it readable,
 * refused when another user owns it or may write to it, and unreadable to another OS user.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HomeDirectoryError, secureHome } from '../../daemon/secureHome.js'

const isRoot = process.getuid?.() === 0
const hasRunuser = spawnSync('runuser', ['--version']).status === 0
const NOBODY = 65534
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})
async function home(mode: number): Promise<{ home: string; db: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'kith-home-'))
  await chmod(parent, 0o755)
  dirs.push(parent)
  const h = join(parent, 'home')
  const db = join(h, 'db')
  await mkdir(db, { recursive: true })
  await writeFile(join(db, '000005.ldb'), 'sealed records')
  await writeFile(join(h, 'identity.key'), 'seed')
  await chmod(join(db, '000005.ldb'), 0o644)
  await chmod(db, 0o755)
  await chmod(h, mode)
  return { home: h, db }
}
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777

describe('secureHome', () => {
  it('tightens a home and db/ left 0755 with 0644 files (an older version, a loose umask)', async () => {
    const { home: h, db } = await home(0o755)
    await secureHome(h, db)
    expect(await modeOf(h)).toBe(0o700)
    expect(await modeOf(db)).toBe(0o700)
    expect(await modeOf(join(db, '000005.ldb'))).toBe(0o600)
    expect(await modeOf(join(h, 'identity.key'))).toBe(0o600)
  })

  it('refuses a home that others may write to, with a message that says what to do', async () => {
    const { home: h, db } = await home(0o777)
    await expect(secureHome(h, db)).rejects.toThrow(HomeDirectoryError)
    await expect(secureHome(h, db)).rejects.toThrow(/may be written by other users \(mode 777\).*chmod 700/)
  })

  it.runIf(isRoot)('refuses a home that belongs to another user', async () => {
    const { home: h, db } = await home(0o700)
    await chown(h, NOBODY, NOBODY)
    await expect(secureHome(h, db)).rejects.toThrow(/belongs to another user \(uid 65534\)/)
  })

  it.runIf(isRoot && hasRunuser)('another OS user reads nothing of it', async () => {
    const { home: h, db } = await home(0o755)
    await secureHome(h, db)
    const read = spawnSync('runuser', ['-u', 'nobody', '--', 'cat', join(db, '000005.ldb')], { encoding: 'utf8' })
    expect(read.status).not.toBe(0)
    expect(read.stdout).not.toContain('sealed records')
    const list = spawnSync('runuser', ['-u', 'nobody', '--', 'ls', h], { encoding: 'utf8' })
    expect(list.status).not.toBe(0)
  })

  it('says loudly when the other-user checks cannot run here (and fails under CI)', () => {
    if (!isRoot || !hasRunuser) {
      const what = !isRoot ? 'root (to chown to another user)' : 'runuser (util-linux)'
      process.stderr.write(`\n*** secureHome: the other-user tests need ${what}; skipped here ***\n`)
      expect(process.env.CI).not.toBe('true')
    }
  })
})
