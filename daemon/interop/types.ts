/** The shapes every importer and exporter shares: imported items, results, options and the format names. */
import type { ImportedVersion, Item } from '../vault/Item.js'
import type { HistoryVersion } from '../vault/ItemHistory.js'

/**
 * One item read from another manager's file: an ItemInput with every field filled in
 * (the vault and id are chosen by the caller when it stores the item).
 */
export interface ImportedItem extends Omit<Item, 'id' | 'vault' | 'createdAt' | 'updatedAt' | 'attachments'> {
  /** ISO 8601, when the format records it */
  createdAt?: string
  /** ISO 8601, when the format records it */
  updatedAt?: string
  /** the vault the file puts the item in, when the format records one (Kith's own formats) */
  vault?: string
  /** older versions, oldest first, when the format records them (KeePass entry history, old passwords) */
  history?: ImportedVersion[]
  /** files the item carries in the file (KDBX, KeePass XML, 1PUX, Kith's own formats) */
  attachments?: ImportedAttachment[]
}

/** A file above this size is not imported: the importer skips it with a warning naming the item and the file. */
export const DEFAULT_ATTACHMENT_LIMIT_BYTES = 25 * 1024 * 1024

/** A file on an imported item: stored as an attachment (sealed blob) after the item is created. */
export interface ImportedAttachment {
  name: string
  data: Uint8Array
}

/** What an importer returns: every item, plus what the file had that Kith could not carry. */
export interface ImportResult {
  items: ImportedItem[]
  /** human-readable, one line each; never empty strings */
  warnings: string[]
}

/** Called now and then while a large file is processed; `done` goes from 0 to `total`. */
export type ProgressCallback = (done: number, total: number) => void

/** Options every importer takes. */
export interface ImportOptions {
  /** for password-protected files (encrypted Bitwarden JSON, KDBX, kith-encrypted) */
  password?: string
  onProgress?: ProgressCallback
}

/** Options every exporter takes. */
export interface ExportOptions {
  /** required by kith-encrypted */
  password?: string
  /** written into the file where the format has a place for it */
  vaultName?: string
  onProgress?: ProgressCallback
  /** the bytes of one of an item's attachments (formats that carry files: kith-json, kith-encrypted, keepass-xml) */
  attachmentData?: (itemId: string, attachmentId: string) => Promise<Uint8Array>
  /** an item's versions, newest first (formats that carry history: kith-json, kith-encrypted, keepass-xml) */
  historyOf?: (itemId: string) => HistoryVersion[]
}

/** Reads a whole file; all or nothing: it throws an ImportError rather than return part of the items. */
export type Importer = (data: Uint8Array, options: ImportOptions) => Promise<ImportResult>

/** Writes a whole file from vault items. */
export type Exporter = (items: Item[], options: ExportOptions) => Promise<Uint8Array>

/** The file formats Kith reads. */
export const IMPORT_FORMATS = [
  'bitwarden-json',
  'bitwarden-csv',
  '1password-1pux',
  '1password-csv',
  'keepass-xml',
  'keepass-csv',
  'kdbx',
  'chrome-csv',
  'firefox-csv',
  'lastpass-csv',
  'kith-json',
  'kith-encrypted'
] as const
/** An import format name. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** The file formats Kith writes. */
export const EXPORT_FORMATS = ['kith-json', 'kith-encrypted', 'bitwarden-json', 'keepass-xml', 'csv'] as const
/** An export format name. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The usual file extension of each export format (here, not in the registry, so naming a file loads no parser). */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  'kith-json': '.kith.json',
  'kith-encrypted': '.kith',
  'bitwarden-json': '.json',
  'keepass-xml': '.xml',
  csv: '.csv'
}
