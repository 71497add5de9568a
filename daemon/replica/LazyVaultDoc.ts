/**
 * A replica's decrypted document, built only when first wanted. An unlock hands it the updates it
 * read; Yjs builds them into a document on first use (100–200 ms for 10,000 items), so that an
 * unlock whose list is answered from a picture does not wait for it. Holds plaintext: `close`
 * overwrites what was read and drops the document.
 */
import * as Y from 'yjs'
import { VaultDoc } from '../vault/VaultDoc.js'
import { applyStoredRecords } from './storedRecords.js'

export interface LazyVaultDocHooks {
  /** the origin that marks the updates read at unlock as not made here */
  readonly remoteOrigin: symbol
  /** every update of the built document (the ones it was built from excepted) */
  onUpdate: (update: Uint8Array, origin: unknown) => void
  onItemsChanged: (ids: string[], local: boolean) => void
}

export class LazyVaultDoc {
  private built: VaultDoc | undefined
  private unapplied: Uint8Array[] | undefined
  private unsubscribe: (() => void) | undefined

  /** `deviceId`: the device whose edits the document records in item history */
  constructor(
    private readonly hooks: LazyVaultDocHooks,
    private readonly deviceId: string
  ) {}

  /** Whether there is a document to use (built or not yet). */
  get open(): boolean {
    return this.built !== undefined || this.unapplied !== undefined
  }

  get isBuilt(): boolean {
    return this.built !== undefined
  }

  /** Keeps what an unlock read, to build from on first use. */
  hold(updates: Uint8Array[]): void {
    this.close()
    this.unapplied = updates
  }

  /** The document (built now if it was not), or undefined when closed. */
  get(): VaultDoc | undefined {
    if (this.built === undefined && this.unapplied !== undefined) this.build(this.unapplied)
    return this.built
  }

  private build(updates: Uint8Array[]): void {
    const ydoc = new Y.Doc()
    applyStoredRecords(ydoc, updates, this.hooks.remoteOrigin)
    for (const update of updates) update.fill(0)
    this.unapplied = undefined
    const vaultDoc = new VaultDoc(ydoc, this.deviceId)
    ydoc.on('update', (update: Uint8Array, origin: unknown) => this.hooks.onUpdate(update, origin))
    this.unsubscribe = vaultDoc.onItemsChanged((ids, local) => this.hooks.onItemsChanged(ids, local))
    this.built = vaultDoc
  }

  /** Drops the document and overwrites what was read and not built. */
  close(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.built?.destroy()
    this.built = undefined
    for (const update of this.unapplied ?? []) update.fill(0)
    this.unapplied = undefined
  }
}
