/**
 * Writes a file only its owner can read, whatever was at the path before: the bytes go to a new sibling created with
 * O_CREAT|O_EXCL and mode 0600, are synced, and the sibling is renamed over the path. `writeFile(path, {mode})` would
 * keep the mode (and owner) of an existing file, so a plaintext export over an old 0644 file stayed world-readable.
 */
import { randomBytes } from 'node:crypto'
import { link, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces `path` with `bytes` in a file created new with mode 0600 (a symlink at `path` is replaced, not followed).
 * With `overwrite: false` the finished file is hard-linked into place instead, which fails with EEXIST when
 * something appeared at `path` meanwhile: nothing is replaced then.
 */
export async function writePrivateFile(path: string, bytes: Uint8Array, { overwrite = true } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    try {
      await handle.writeFile(bytes)
      await handle.chmod(0o600)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (overwrite) await rename(temp, path)
    else {
      await link(temp, path)
      await unlink(temp)
    }
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
}
