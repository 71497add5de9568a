/** Settings → export and import: files in the formats other password managers read and write. */
import { useId, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { VaultInfo } from '../types.js'
import { messageOf, toast } from '../toast.js'
import { PasswordInput, StrengthBar } from './ui.js'
import { useWeakGate, WeakConsent } from './WeakPasswordGate.js'

/** The daemon refuses a shorter export file password (export_password_too_short). */
const MIN_EXPORT_PASSWORD = 12

const EXPORT_FORMATS = [
  ['kith-encrypted', 'Kith, encrypted with a password (.kith)'],
  ['kith-json', 'Kith JSON (not encrypted)'],
  ['bitwarden-json', 'Bitwarden JSON (not encrypted)'],
  ['keepass-xml', 'KeePass XML (not encrypted)'],
  ['csv', 'CSV (not encrypted)']
] as const

const IMPORT_FORMATS = [
  ['bitwarden-json', 'Bitwarden (.json)'],
  ['bitwarden-csv', 'Bitwarden (.csv)'],
  ['1password-1pux', '1Password (.1pux)'],
  ['1password-csv', '1Password (.csv)'],
  ['keepass-xml', 'KeePass XML'],
  ['keepass-csv', 'KeePass CSV'],
  ['kdbx', 'KeePass database (.kdbx)'],
  ['chrome-csv', 'Chrome passwords (.csv)'],
  ['firefox-csv', 'Firefox passwords (.csv)'],
  ['lastpass-csv', 'LastPass (.csv)'],
  ['kith-json', 'Kith JSON'],
  ['kith-encrypted', 'Kith encrypted (.kith)']
] as const

const NEEDS_PASSWORD = new Set(['kith-encrypted', 'kdbx'])

/** The file's bytes as base64 (the import route takes JSON). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'))
    reader.readAsDataURL(file)
  })
}

export function Transfers({ vaults, reload }: { vaults: VaultInfo[]; reload: () => Promise<void> }) {
  const ids = { exportFormat: useId(), exportVault: useId(), importFormat: useId(), importFile: useId(), importVault: useId() }
  const [exportFormat, setExportFormat] = useState('kith-encrypted')
  const [exportVault, setExportVault] = useState('')
  const [exportPassword, setExportPassword] = useState('')
  const [importFormat, setImportFormat] = useState('bitwarden-json')
  const [importVault, setImportVault] = useState('')
  const [importPassword, setImportPassword] = useState('')
  const [file, setFile] = useState<File>()
  const [busy, setBusy] = useState(false)
  const sealed = NEEDS_PASSWORD.has(exportFormat)
  const weak = useWeakGate(sealed ? exportPassword : '')

  const doExport = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    try {
      const weakness = sealed ? await weak.check() : undefined
      if (weakness !== undefined) return toast(weakness, 'error')
      const { blob, name, count } = await api.exportFile({
        format: exportFormat,
        vault: exportVault === '' ? undefined : exportVault,
        password: NEEDS_PASSWORD.has(exportFormat) ? exportPassword : undefined
      })
      const href = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = href
      a.download = name
      a.click()
      setTimeout(() => URL.revokeObjectURL(href), 10_000)
      toast(`Exported ${count} item${count === 1 ? '' : 's'} to ${name}`)
    } catch (err) {
      toast(messageOf(err), 'error')
    } finally {
      setBusy(false)
    }
  }

  const doImport = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (file === undefined) return
    setBusy(true)
    try {
      const r = await api.importFile({
        format: importFormat,
        data: await readBase64(file),
        vault: importVault === '' ? undefined : importVault,
        password: NEEDS_PASSWORD.has(importFormat) ? importPassword : undefined
      })
      const into = r.vaults.length > 1 ? `${r.vaults.length} vaults (${r.vaults.map(v => `${v.name}: ${v.imported}`).join(', ')})` : r.vault
      toast(`Imported ${r.imported} item${r.imported === 1 ? '' : 's'} into ${into}${r.skipped > 0 ? ` (${r.skipped} skipped)` : ''}`)
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    } finally {
      setBusy(false)
    }
  }

  const vaultSelect = (id: string, value: string, set: (v: string) => void, all: string, testId: string) => (
    <select id={id} value={value} onChange={e => set(e.currentTarget.value)} data-testid={testId}>
      <option value="">{all}</option>
      {vaults.map(v => (
        <option key={v.id} value={v.name}>
          {v.name}
        </option>
      ))}
    </select>
  )

  return (
    <>
      <section class="card">
        <form
          onSubmit={e => {
            void doExport(e)
          }}
          aria-labelledby="export-title"
        >
          <h3 id="export-title">Export</h3>
          <div class="two-columns">
            <div class="field">
              <label for={ids.exportFormat}>Format</label>
              <select
                id={ids.exportFormat}
                value={exportFormat}
                onChange={e => setExportFormat(e.currentTarget.value)}
                data-testid="export-format"
              >
                {EXPORT_FORMATS.map(([v, label]) => (
                  <option key={v} value={v}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={ids.exportVault}>Vault</label>
              {vaultSelect(ids.exportVault, exportVault, setExportVault, 'Every vault', 'export-vault')}
            </div>
          </div>
          {NEEDS_PASSWORD.has(exportFormat) && (
            <PasswordInput
              label="Password for the file"
              value={exportPassword}
              onInput={setExportPassword}
              testId="export-password"
              autoComplete="new-password"
            />
          )}
          {sealed && exportPassword !== '' && <StrengthBar password={exportPassword} verdict={weak.verdict} />}
          {sealed && exportPassword !== '' && exportPassword.length < MIN_EXPORT_PASSWORD && (
            <p class="hint" data-testid="export-password-length">
              The file's password needs at least {MIN_EXPORT_PASSWORD} characters.
            </p>
          )}
          {sealed && <WeakConsent gate={weak} />}
          {!NEEDS_PASSWORD.has(exportFormat) && (
            <p class="hint">This file holds your passwords in plain text. Keep it safe and delete it when done.</p>
          )}
          <button
            type="submit"
            class="button"
            data-testid="export"
            disabled={busy || (sealed && [...exportPassword].length < MIN_EXPORT_PASSWORD)}
          >
            Export
          </button>
        </form>
      </section>
      <section class="card">
        <form
          onSubmit={e => {
            void doImport(e)
          }}
          aria-labelledby="import-title"
        >
          <h3 id="import-title">Import</h3>
          <div class="two-columns">
            <div class="field">
              <label for={ids.importFormat}>From</label>
              <select
                id={ids.importFormat}
                value={importFormat}
                onChange={e => setImportFormat(e.currentTarget.value)}
                data-testid="import-format"
              >
                {IMPORT_FORMATS.map(([v, label]) => (
                  <option key={v} value={v}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={ids.importVault}>Into the vault</label>
              {vaultSelect(ids.importVault, importVault, setImportVault, 'The default vault', 'import-vault')}
              {importVault === '' && <p class="hint">A Kith export goes back into the vaults it names.</p>}
            </div>
          </div>
          <div class="field">
            <label for={ids.importFile}>File</label>
            <input id={ids.importFile} type="file" data-testid="import-file" onChange={e => setFile(e.currentTarget.files?.[0])} />
          </div>
          {NEEDS_PASSWORD.has(importFormat) && (
            <PasswordInput label="Password of the file" value={importPassword} onInput={setImportPassword} testId="import-password" />
          )}
          <button type="submit" class="button" data-testid="import" disabled={busy || file === undefined}>
            Import
          </button>
        </form>
      </section>
    </>
  )
}
