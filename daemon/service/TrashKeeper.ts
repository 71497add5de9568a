/**
 * The trash: emptying it (every trashed item of a vault, or of all vaults, deleted for good as one
 * purge per vault: snapshot, then compaction) and emptying it by itself. While unlocked, items that
 * sat in the trash longer than the setting (30 days by default; 0 keeps them) since their last
 * change are deleted for good, a few seconds after each unlock and every six hours after that.
 */
import type { EventEmitter } from 'node:events'
import type { Item } from '../vault/Item.js'
import type { Log } from '../log.js'
import type { ItemFilter } from './ItemService.js'
import { toError } from '../toError.js'

const DAY_MS = 24 * 60 * 60 * 1000
/** after an unlock: long enough for the first list to be painted (the purge builds the document) */
const FIRST_SWEEP_MS = 5_000
const SWEEP_EVERY_MS = 6 * 60 * 60 * 1000

export interface TrashKeeperOptions {
  items: {
    listItems: (filter: ItemFilter) => Item[]
    purgeItems: (vault: string, ids: string[]) => Promise<void>
  }
  settings: { readonly trashDays: number; setTrashDays: (days: number) => Promise<void> }
  /** 'unlocked' starts the sweeps, 'locked' stops them */
  session: Pick<EventEmitter, 'on'> & { readonly unlocked: boolean }
  log: Log
  now?: () => number
}

export class TrashKeeper {
  private first: NodeJS.Timeout | undefined
  private every: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(private readonly options: TrashKeeperOptions) {
    this.now = options.now ?? Date.now
    options.session.on('unlocked', () => this.schedule())
    options.session.on('locked', () => this.stop())
  }

  get days(): number {
    return this.options.settings.trashDays
  }

  async setDays(days: number): Promise<void> {
    await this.options.settings.setTrashDays(days)
  }

  /**
   * Deletes for good every trashed item (of `vault`, or of every vault), or only those whose last
   * change is older than `olderThanMs`. Returns how many.
   */
  async empty(vault?: string, olderThanMs?: number): Promise<number> {
    const cutoff = olderThanMs === undefined ? Number.POSITIVE_INFINITY : this.now() - olderThanMs
    const byVault = new Map<string, string[]>()
    for (const item of this.options.items.listItems({ trashed: true, ...(vault === undefined ? {} : { vault }) })) {
      if (olderThanMs !== undefined && !(Date.parse(item.updatedAt) <= cutoff)) continue
      byVault.set(item.vault, [...(byVault.get(item.vault) ?? []), item.id])
    }
    let purged = 0
    for (const [name, ids] of byVault) {
      await this.options.items.purgeItems(name, ids)
      purged += ids.length
    }
    return purged
  }

  /** Deletes what sat in the trash past the setting (nothing when it is 0). */
  async sweep(): Promise<number> {
    const days = this.days
    if (days === 0 || !this.options.session.unlocked) return 0
    const purged = await this.empty(undefined, days * DAY_MS)
    if (purged > 0) this.options.log('info', `trash: deleted ${purged} item(s) that were in it for over ${days} days`)
    return purged
  }

  private schedule(): void {
    this.stop()
    const run = (): void => {
      this.sweep().catch(err => this.options.log('warn', `trash: could not empty it: ${toError(err).message}`))
    }
    this.first = setTimeout(run, FIRST_SWEEP_MS).unref()
    this.every = setInterval(run, SWEEP_EVERY_MS).unref()
  }

  stop(): void {
    clearTimeout(this.first)
    clearInterval(this.every)
    this.first = undefined
    this.every = undefined
  }
}
