/**
 * This device's settings that outlive a restart (auto-lock today), kept as one small JSON record.
 * Nothing in it is secret; a locked daemon reads it at start.
 */
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { metaLayout } from '../storage/storageLayout.js'
import { InvalidRequestError } from './errors.js'

export const DEFAULT_AUTO_LOCK_MINUTES = 15
const MAX_AUTO_LOCK_MINUTES = 24 * 60

const MAX_TRASH_PURGE_DAYS = 3650

export interface Settings {
  autoLockMinutes: number
  /** trashed items are deleted for good after this many days; 0 never */
  trashPurgeDays: number
}

export class SettingsStore {
  private current: Settings

  /**
   * `overrides` come from the command line (`kith daemon --auto-lock N`): they win over the saved
   * setting for this run, until the person changes the setting again.
   */
  /** `storage` is the meta/ view */
  constructor(
    private readonly storage: StorageAdapter,
    private readonly overrides: Partial<Settings> = {}
  ) {
    this.current = { autoLockMinutes: overrides.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES, trashPurgeDays: 0 }
  }

  async load(): Promise<void> {
    const bytes = await this.storage.get(metaLayout.settings)
    if (bytes === undefined) return
    try {
      const saved = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Settings>
      if (validMinutes(saved.autoLockMinutes) && this.overrides.autoLockMinutes === undefined)
        this.current.autoLockMinutes = saved.autoLockMinutes
      if (validDays(saved.trashPurgeDays)) this.current.trashPurgeDays = saved.trashPurgeDays
    } catch {
      // an unreadable settings record only loses the preference: the default applies
    }
  }

  get autoLockMinutes(): number {
    return this.current.autoLockMinutes
  }

  async setAutoLockMinutes(minutes: number): Promise<void> {
    if (!validMinutes(minutes)) throw new InvalidRequestError(`auto-lock must be between 0 and ${MAX_AUTO_LOCK_MINUTES} minutes`)
    this.current = { ...this.current, autoLockMinutes: minutes }
    await this.save()
  }

  get trashPurgeDays(): number {
    return this.current.trashPurgeDays
  }

  async setTrashPurgeDays(days: number): Promise<void> {
    if (!validDays(days))
      throw new InvalidRequestError(`the trash purge must be a whole number of days from 0 (never) to ${MAX_TRASH_PURGE_DAYS}`)
    this.current = { ...this.current, trashPurgeDays: days }
    await this.save()
  }

  private async save(): Promise<void> {
    await this.storage.put(metaLayout.settings, new TextEncoder().encode(JSON.stringify(this.current)))
  }
}

function validDays(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TRASH_PURGE_DAYS
}

function validMinutes(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_AUTO_LOCK_MINUTES
}
