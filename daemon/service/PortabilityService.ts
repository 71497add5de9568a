/**
 * Import, export, migration between vaults, and destroy: the "leave whenever I want" promises,
 * on top of ItemService and the pure importers and exporters of interop/.
 */
import { EventEmitter } from 'node:events'
import type { ItemService } from './ItemService.js'
import type { AttachmentInfo, Item, ItemInput } from '../vault/Item.js'
import type { ImportedItem } from '../interop/types.js'
import { ownershipOf, normalizeDomain } from './organisationPolicy.js'
import { itemLabel, Warnings } from '../interop/warnings.js'
import { ExportPasswordTooShortError, InvalidRequestError, VaultNotFoundError } from './errors.js'

/** What one import did in one vault. */
export interface VaultImport {
  name: string
  imported: number
  skipped: number
  created: boolean
}
/**
 * What an import did. `vault` is the (first) vault written to; `vaults` has one entry per vault
 * when a Kith export restores items into the vaults they came from.
 */
export interface ImportSummary {
  imported: number
  skipped: number
  vault: string
  warnings: string[]
  createdVault: boolean
  vaults: VaultImport[]
  /** files stored on the imported items (KDBX, KeePass XML, 1PUX and Kith's own formats carry them) */
  attachments: number
}

/**
 * An encrypted export's file password has at least this many characters: the file leaves the device
 * and can be attacked offline, with no unlock throttle (newcomer report F17 saw "a" accepted).
 */
export const MIN_EXPORT_PASSWORD_LENGTH = 12

/** A Kith export naming more vaults than this is refused unless --vault puts everything in one. */
export const MAX_RESTORED_VAULTS = 64
export interface ExportResult {
  bytes: Uint8Array
  count: number
}
export interface MigrationPlan {
  moved: string[]
  kept: string[]
  /**
   * one line per item: why it moves or stays; `evidence: 'none'` when nothing about it says whose
   * it is (no URL, no e-mail address): it moves unless kept, and the preview says so
   */
  details: Array<{
    id: string
    title: string
    action: 'move' | 'keep'
    reason: string
    evidence: 'organisation' | 'other' | 'none' | 'chosen'
  }>
  dryRun: boolean
}

/** What a migration moves: every live item that is not the organisation's, except those the person keeps. */
export interface MigrationRequest {
  from: string
  to: string
  /** the organisation's domains (one or more) */
  orgDomains: string[]
  dryRun: boolean
  /** item ids that stay whatever the rule says */
  keep?: string[]
}

export interface PortabilityEvents {
  'import-progress': [{ done: number; total: number; format: string }]
  'export-progress': [{ done: number; total: number; format: string }]
  /** an import, export or migration ended (either way): a good moment to give memory back */
  settled: []
}

/** The format registry, loaded on first use: the parsers (kdbxweb, an XML parser, zip) cost memory a running daemon rarely needs. */
const loadRegistry = async (): Promise<typeof import('../interop/registry.js')> => await import('../interop/registry.js')

/** The files on items, as imports add them and exports read them (service/AttachmentService.ts). */
export interface AttachmentsPort {
  add(itemId: string, name: string, data: Uint8Array): Promise<AttachmentInfo>
  read(itemId: string, attachmentId: string): Promise<Uint8Array>
  /** copies the files of these items into another vault's storage (a migration moves items with their files) */
  copyFiles?(itemIds: string[], toVault: string): Promise<void>
}

export class PortabilityService extends EventEmitter<PortabilityEvents> {
  /**
   * @param attachments without it, exporting an item that has files fails rather than leave them out,
   * and an import's files are not stored (a warning names each)
   */
  constructor(
    private readonly vaults: ItemService,
    private readonly attachments?: AttachmentsPort
  ) {
    super()
  }

  /**
   * Parses the whole file first (all or nothing), skips items already present, then writes the rest
   * in one batch per vault and stores their files. Items go to `options.vault`, else to the vault a
   * Kith export says they came from (created when missing), else to the default vault. A file that
   * cannot be stored is a warning naming the item and the file; the items stay.
   */
  async import(format: string, data: Uint8Array, options: { vault?: string; password?: string } = {}): Promise<ImportSummary> {
    return await this.settling(async () => await this.importNow(format, data, options))
  }

  private async importNow(format: string, data: Uint8Array, options: { vault?: string; password?: string }): Promise<ImportSummary> {
    const { importerFor, splitDuplicates, PASSWORD_FORMATS, isImportFormat } = await loadRegistry()
    const importer = importerFor(format)
    if (isImportFormat(format) && PASSWORD_FORMATS.has(format) && (options.password === undefined || options.password === '')) {
      throw new InvalidRequestError(`${format} files are encrypted: give the file's password (--password-stdin)`)
    }
    this.vaults.vaults() // throws LockedError while locked
    const result = await importer(data, {
      password: options.password,
      onProgress: (done, total) => this.emit('import-progress', { done, total, format })
    })
    const fallback = options.vault ?? this.vaults.replicaByName(undefined).doc.name
    const groups = new Map<string, ImportedItem[]>([[fallback, []]])
    for (const { vault, ...item } of result.items) {
      const name = options.vault ?? vault ?? fallback
      let group = groups.get(name)
      if (group === undefined) {
        if (groups.size >= MAX_RESTORED_VAULTS)
          throw new InvalidRequestError(
            `the file spreads its items over more than ${MAX_RESTORED_VAULTS} vaults: import it into one with --vault NAME`
          )
        group = []
        groups.set(name, group)
      }
      group.push(item)
    }
    if (groups.size > 1 && groups.get(fallback)?.length === 0) groups.delete(fallback)
    const vaults: VaultImport[] = []
    const fileWarnings = new Warnings()
    let attachments = 0
    for (const [name, items] of groups) {
      const created = !this.vaults.vaults().some(v => v.name === name)
      if (created) await this.vaults.createVault(name)
      const existing = this.vaults.listItems({ vault: name }).concat(this.vaults.listItems({ vault: name, trashed: true }))
      const { fresh, skipped } = splitDuplicates(existing, items)
      const ids = await this.vaults.createItems(
        name,
        fresh.map(({ attachments: _files, ...input }) => input as ItemInput)
      )
      attachments += await this.storeFiles(fresh, ids, fileWarnings)
      vaults.push({ name, imported: fresh.length, skipped: skipped.length, created })
    }
    const first = vaults[0] as VaultImport
    return {
      imported: vaults.reduce((n, v) => n + v.imported, 0),
      skipped: vaults.reduce((n, v) => n + v.skipped, 0),
      vault: first.name,
      warnings: [...result.warnings, ...fileWarnings.list()],
      createdVault: vaults.some(v => v.created),
      vaults,
      attachments
    }
  }

  /** Stores each item's files on the item created for it (`ids` in the order of `items`); returns how many were stored. */
  private async storeFiles(items: ImportedItem[], ids: string[], warnings: Warnings): Promise<number> {
    let stored = 0
    for (const [k, item] of items.entries()) {
      const files = item.attachments ?? []
      const id = ids[k]
      // the bytes are let go as soon as they are stored
      item.attachments = undefined
      for (const file of files) {
        const where = `${itemLabel(item.title, k)} (${file.name})`
        if (this.attachments === undefined || id === undefined) {
          warnings.note('files were not imported (this daemon stores no files)', where)
          continue
        }
        try {
          await this.attachments.add(id, file.name, file.data)
          stored++
        } catch (err) {
          warnings.note(`files could not be stored (${err instanceof Error ? err.message : String(err)})`, where)
        }
      }
    }
    return stored
  }

  /**
   * Every item (trash included) of one vault, or of all vaults, in the chosen format; kith-json,
   * kith-encrypted and keepass-xml also carry each item's history and files.
   */
  async export(format: string, options: { vault?: string; password?: string } = {}): Promise<ExportResult> {
    return await this.settling(async () => await this.exportNow(format, options))
  }

  private async exportNow(format: string, options: { vault?: string; password?: string }): Promise<ExportResult> {
    const { exporterFor } = await loadRegistry()
    const exporter = exporterFor(format)
    if (format === 'kith-encrypted' && (options.password === undefined || options.password === '')) {
      throw new InvalidRequestError('kith-encrypted exports need a password for the file (--password-stdin)')
    }
    if (format === 'kith-encrypted' && [...(options.password ?? '')].length < MIN_EXPORT_PASSWORD_LENGTH)
      throw new ExportPasswordTooShortError(MIN_EXPORT_PASSWORD_LENGTH)
    const items: Item[] = [
      ...this.vaults.listItems({ vault: options.vault }),
      ...this.vaults.listItems({ vault: options.vault, trashed: true })
    ]
    const files = this.attachments
    const bytes = await exporter(items, {
      password: options.password,
      vaultName: options.vault,
      onProgress: (done, total) => this.emit('export-progress', { done, total, format }),
      historyOf: id => this.vaults.itemHistory(id),
      attachmentData: files === undefined ? undefined : async (itemId, attachmentId) => await files.read(itemId, attachmentId)
    })
    return { bytes, count: items.length }
  }

  /**
   * Moves every live item of `from` that is not the organisation's (any of its domains) into `to`,
   * re-encrypted under the destination vault's key and under the same id, and deletes it from
   * `from` for good. Trashed items and the ids in `keep` stay.
   */
  async migrate(request: MigrationRequest): Promise<MigrationPlan> {
    return await this.settling(async () => await this.migrateNow(request))
  }

  private async migrateNow({ from, to, orgDomains, dryRun, keep = [] }: MigrationRequest): Promise<MigrationPlan> {
    if (orgDomains.length === 0) throw new InvalidRequestError('--org-domain is required (repeat it for several domains)')
    const domains = orgDomains.map(value => {
      const domain = normalizeDomain(value)
      if (domain === undefined)
        throw new InvalidRequestError(`--org-domain must be a domain name such as acme-corp.example, not ${JSON.stringify(value)}`)
      return domain
    })
    if (from === to) throw new InvalidRequestError('--from and --to must be different vaults')
    const names = this.vaults.vaults().map(v => v.name)
    if (!names.includes(from)) throw new VaultNotFoundError(from)
    if (!names.includes(to)) throw new VaultNotFoundError(to)
    const kept = new Set(keep)
    const details: MigrationPlan['details'] = []
    const toMove: Item[] = []
    const live = this.vaults.listItems({ vault: from })
    const unknown = [...kept].filter(id => !live.some(i => i.id === id))
    if (unknown.length > 0) throw new InvalidRequestError(`--keep names no live item of ${from}: ${unknown.join(', ')}`)
    for (const item of live) {
      const o = ownershipOf(item, domains)
      if (kept.has(item.id)) details.push({ id: item.id, title: item.title, action: 'keep', reason: 'kept by you', evidence: 'chosen' })
      else if (o.organisation)
        details.push({
          id: item.id,
          title: item.title,
          action: 'keep',
          reason: `the organisation's: ${o.reason}`,
          evidence: 'organisation'
        })
      else {
        details.push({ id: item.id, title: item.title, action: 'move', reason: o.reason, evidence: o.evidence })
        toMove.push(item)
      }
    }
    for (const item of this.vaults.listItems({ vault: from, trashed: true })) {
      details.push({ id: item.id, title: item.title, action: 'keep', reason: 'in the trash: trashed items stay', evidence: 'chosen' })
    }
    const plan: MigrationPlan = {
      moved: toMove.map(i => i.id),
      kept: details.filter(d => d.action === 'keep').map(d => d.id),
      details,
      dryRun
    }
    if (dryRun || toMove.length === 0) return plan
    // copy first, delete second: a crash in between leaves a duplicate, never a loss
    await this.attachments?.copyFiles?.(plan.moved, to)
    await this.vaults.createItemsWithIds(
      to,
      toMove.map(({ id, vault: _vault, ...rest }) => ({ id, input: rest, history: this.vaults.historyKeys(id) }))
    )
    await this.vaults.purgeItems(from, plan.moved)
    return plan
  }

  private async settling<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } finally {
      this.emit('settled')
    }
  }
}
