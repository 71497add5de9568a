/**
 * The trash beyond one item (issue 15, F37): "Empty trash" deletes every trashed item for good, and
 * an optional setting deletes items that have been in the trash for more than N days, checked at
 * each unlock (5 s after it) and every hour while unlocked. When an item went to the trash is read from its history
 * (the newest version that trashed it), else its updatedAt.
 */
import type { ItemService } from './ItemService.js'
import type { SettingsStore } from './SettingsStore.js'
import type { UnlockService } from './UnlockService.js'
import type { Item } from '../vault/Item.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'
import type { Log } from '../log.js'
import { toError } from '../toError.js'

const DAY_MS = 86_400_000
const CHECK_EVERY_MS = 3_600_000
/** the first check after an unlock */
const FIRST_CHECK_MS = 5_000

/** When the item went to the trash (ms): its newest version that set `trashed`, else its updatedAt. */
export function trashedAt(item: Item, newestFirst: HistoryVersion[]): number {
  const version = newestFirst.find(v => v.changes.some(c => c.field === 'trashed' && c.to === true))
  return Date.parse(version?.at ?? item.updatedAt)
}

export interface TrashServiceOptions {
  items: ItemService
  settings: SettingsStore
  unlock: Pick<UnlockService, 'on' | 'unlocked'>
  log: Log
  now?: () => number
}

export class TrashService {
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(private readonly options: TrashServiceOptions) {
    this.now = options.now ?? Date.now
    options.unlock.on('unlocked', () => {
      this.schedule()
      // a moment after the unlock, not during it: the first list is answered before the document is built
      this.first = setTimeout(() => void this.purgeExpired(), FIRST_CHECK_MS)
      this.first.unref()
    })
    options.unlock.on('locked', () => this.cancel())
  }

  get purgeAfterDays(): number {
    return this.options.settings.trashPurgeDays
  }

  async setPurgeAfterDays(days: number): Promise<void> {
    await this.options.settings.setTrashPurgeDays(days)
    if (this.options.unlock.unlocked) await this.purgeExpired()
  }

  /** Deletes every trashed item (of one vault, or of all) for good; answers how many. */
  async emptyTrash(vault?: string): Promise<number> {
    return await this.options.items.purgeTrashed(vault, () => true)
  }

  /** Deletes the items in the trash for longer than the setting says (none when it is 0). */
  async purgeExpired(): Promise<number> {
    const days = this.purgeAfterDays
    if (days === 0 || !this.options.unlock.unlocked) return 0
    const cutoff = this.now() - days * DAY_MS
    const { items } = this.options
    try {
      const purged = await items.purgeTrashed(undefined, item => trashedAt(item, items.itemHistory(item.id)) < cutoff)
      if (purged > 0) this.options.log('info', `trash: deleted ${purged} item(s) trashed more than ${days} days ago`)
      return purged
    } catch (err) {
      this.options.log('warn', `trash: the automatic purge failed: ${toError(err).message}`)
      return 0
    }
  }

  private first: NodeJS.Timeout | undefined

  private schedule(): void {
    this.cancel()
    this.timer = setInterval(() => void this.purgeExpired(), CHECK_EVERY_MS)
    this.timer.unref()
  }

  private cancel(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    clearTimeout(this.first)
    this.first = undefined
  }
}
