/** The table of importers and exporters by format name, with format checks and the de-duplication helpers. */
import { exportBitwardenJson } from './bitwardenJsonExport.js'
import { importBitwardenCsv } from './bitwardenCsv.js'
import { importBitwardenJson } from './bitwardenJson.js'
import { importChromeCsv } from './chromeCsv.js'
import { exportCsv } from './csvExport.js'
import { ImportError, UnknownFormatError } from './errors.js'
import { importFirefoxCsv } from './firefoxCsv.js'
import { importKdbx } from './kdbx.js'
import { importKeepassCsv } from './keepassCsv.js'
import { importKeepassXml } from './keepassXml.js'
import { exportKeepassXml } from './keepassXmlExport.js'
import { exportKithEncrypted, importKithEncrypted } from './kithEncrypted.js'
import { exportKithJson, importKithJson } from './kithJson.js'
import { importLastpassCsv } from './lastpassCsv.js'
import { importOnePassword1pux } from './onePassword1pux.js'
import { importOnePasswordCsv } from './onePasswordCsv.js'
import { EXPORT_FORMATS, IMPORT_FORMATS, type ExportFormat, type Exporter, type ImportFormat, type Importer } from './types.js'

/** Re-exported so callers need only the registry. */
export { EXPORT_EXTENSIONS, EXPORT_FORMATS, IMPORT_FORMATS, type ExportFormat, type ImportFormat } from './types.js'
export { dedupeKey, splitDuplicates, type ItemLike } from './dedupe.js'
export { detectFormat } from './detect.js'

/** An importer whose unexpected failures (a bug, or input no check foresaw) still surface as an ImportError naming the format. */
export function guarded(format: ImportFormat, importer: Importer): Importer {
  return async (data, options) => {
    try {
      return await importer(data, options)
    } catch (err) {
      if (err instanceof ImportError) throw err
      throw new ImportError(format, `unexpected error reading the file: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err
      })
    }
  }
}

/** Every importer by format name; each throws only ImportError (or its subclasses). */
export const importers: Record<ImportFormat, Importer> = {
  'bitwarden-json': guarded('bitwarden-json', importBitwardenJson),
  'bitwarden-csv': guarded('bitwarden-csv', importBitwardenCsv),
  '1password-1pux': guarded('1password-1pux', importOnePassword1pux),
  '1password-csv': guarded('1password-csv', importOnePasswordCsv),
  'keepass-xml': guarded('keepass-xml', importKeepassXml),
  'keepass-csv': guarded('keepass-csv', importKeepassCsv),
  kdbx: guarded('kdbx', importKdbx),
  'chrome-csv': guarded('chrome-csv', importChromeCsv),
  'firefox-csv': guarded('firefox-csv', importFirefoxCsv),
  'lastpass-csv': guarded('lastpass-csv', importLastpassCsv),
  'kith-json': guarded('kith-json', importKithJson),
  'kith-encrypted': guarded('kith-encrypted', importKithEncrypted)
}

/** Every exporter by format name. */
export const exporters: Record<ExportFormat, Exporter> = {
  'kith-json': exportKithJson,
  'kith-encrypted': exportKithEncrypted,
  'bitwarden-json': exportBitwardenJson,
  'keepass-xml': exportKeepassXml,
  csv: exportCsv
}

/** The formats whose files are always encrypted and need a password to import (Bitwarden JSON needs one only when password-protected). */
export const PASSWORD_FORMATS: ReadonlySet<ImportFormat> = new Set(['kdbx', 'kith-encrypted'])

/** True when `name` is an import format. */
export function isImportFormat(name: string): name is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(name)
}

/** True when `name` is an export format. */
export function isExportFormat(name: string): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name)
}

/** The importer for `name`; throws UnknownFormatError for a name that is not an import format. */
export function importerFor(name: string): Importer {
  if (!isImportFormat(name)) throw new UnknownFormatError(name, IMPORT_FORMATS)
  return importers[name]
}

/** The exporter for `name`; throws UnknownFormatError for a name that is not an export format. */
export function exporterFor(name: string): Exporter {
  if (!isExportFormat(name)) throw new UnknownFormatError(name, EXPORT_FORMATS)
  return exporters[name]
}
