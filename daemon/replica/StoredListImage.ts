/**
 * One vault's stored list picture (ListImage.ts) as its replica sees it across an unlock: read and
 * checked at unlock, handed once to whoever lists, replaced at lock, and deleted with the first
 * change after the unlock (from then on it shows an older vault).
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { vaultLayout } from '../storage/storageLayout.js'
import type { SignedHead } from '../codec/SignedHead.js'
import { openListImage, sealListImage } from './ListImage.js'

export class StoredListImage {
  /** the picture found at unlock, until taken */
  private picture: Uint8Array | undefined
  /** whether a picture of the current document is stored */
  private stored = false

  constructor(
    private readonly vaultId: string,
    private readonly storage: StorageAdapter
  ) {}

  /** At unlock, after the log was read up to `heads`: keeps the stored picture if it was taken there; a delete for one that was not. */
  async read(key: (epoch: number) => Uint8Array, heads: SignedHead[]): Promise<StorageOp | undefined> {
    this.clear()
    const bytes = await this.storage.get(vaultLayout.listImage)
    if (bytes === undefined) return undefined
    this.stored = true
    this.picture = openListImage(this.vaultId, key, heads, bytes)
    return this.picture === undefined ? this.drop() : undefined
  }

  /** The picture, once (the caller keeps it). */
  take(): Uint8Array | undefined {
    const picture = this.picture
    this.picture = undefined
    return picture
  }

  /** Whether the stored picture still shows the document. */
  get current(): boolean {
    return this.stored
  }

  /** The write that stores a new picture taken at `heads`. */
  replace(epoch: number, key: Uint8Array, heads: SignedHead[], picture: Uint8Array): StorageOp {
    this.stored = true
    return { type: 'put', key: vaultLayout.listImage, value: sealListImage(this.vaultId, epoch, key, heads, picture) }
  }

  /** The delete of a stored picture that no longer shows the document (undefined when none is stored). */
  drop(): StorageOp | undefined {
    this.picture?.fill(0)
    this.picture = undefined
    if (!this.stored) return undefined
    this.stored = false
    return { type: 'del', key: vaultLayout.listImage }
  }

  /** At lock: forgets the picture in memory (what is stored stays). */
  clear(): void {
    this.picture?.fill(0)
    this.picture = undefined
    this.stored = false
  }
}
