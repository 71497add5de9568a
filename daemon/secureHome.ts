/**
 * A home only its owner can read: the daemon creates files 0600 and directories 0700 (umask 077),
 * tightens a home and `db/` that an older version or a loose umask left readable (0755 → 0700,
 * files 0644 → 0600), and refuses a home that belongs to another user or that group or others may
 * write to: someone else could have put files there.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** The home cannot be used safely (another owner, or writable by others). */
export class HomeDirectoryError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HomeDirectoryError'
  }
}

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(3, '0')

/** Checks and tightens `home` (created 0700 if missing) and the database directory inside it. */
export async function secureHome(home: string, db: string): Promise<void> {
  process.umask(0o077)
  await mkdir(home, { recursive: true, mode: 0o700 })
  const uid = process.getuid?.()
  for (const dir of [home, db]) {
    let st: Awaited<ReturnType<typeof lstat>>
    try {
      st = await lstat(dir)
    } catch {
      continue // db/ before the first start
    }
    if (st.isSymbolicLink()) throw new HomeDirectoryError(`${dir} is a symbolic link; use the directory it points to as the home`)
    if (uid !== undefined && st.uid !== uid)
      throw new HomeDirectoryError(`${dir} belongs to another user (uid ${st.uid}); refusing to keep this user's vault there`)
    if ((st.mode & 0o022) !== 0)
      throw new HomeDirectoryError(
        `${dir} may be written by other users (mode ${octal(st.mode)}); refusing to run there — check what is in it, then chmod 700 it`
      )
    if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700)
  }
  await tightenFiles(home)
  await tightenFiles(db)
}

/** Files an older version created under the usual umask (0644) become 0600. */
async function tightenFiles(dir: string): Promise<void> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return
  }
  for (const name of names) {
    const path = join(dir, name)
    const st = await lstat(path)
    if (st.isFile() && (st.mode & 0o077) !== 0) await chmod(path, 0o600)
  }
}
