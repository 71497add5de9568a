/**
 * The emergency kit: a page to print (or save as PDF) with this device's name, the dashboard's
 * address and the recovery key, shown right after the key is made. Print CSS (styles.css) prints
 * this sheet alone. The key is on screen only until the kit is closed; the daemon never shows it again.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { CopyButton } from './ui.js'

export function EmergencyKit({ recoveryKey, onClose }: { recoveryKey: string; onClose: () => void }) {
  const [deviceName, setDeviceName] = useState('this device')
  useEffect(() => {
    api.devices().then(
      list => {
        const self = list.find(d => d.self)
        if (self !== undefined && self.name !== '') setDeviceName(self.name)
      },
      () => {}
    )
  }, [])
  return (
    <section class="card emergency-kit" aria-labelledby="kit-title" data-testid="emergency-kit">
      <h3 id="kit-title">Kith emergency kit</h3>
      <dl class="kit-facts">
        <dt>Device</dt>
        <dd data-testid="kit-device">{deviceName}</dd>
        <dt>Dashboard</dt>
        <dd data-testid="kit-address">{location.origin}</dd>
        <dt>Created</dt>
        <dd>{new Date().toLocaleString()}</dd>
      </dl>
      <p class="kit-label">Recovery key</p>
      <p class="kit-key mono" data-testid="kit-recovery-key">
        {recoveryKey}
      </p>
      <ol class="kit-steps">
        <li>
          If you forget the master password, open the dashboard above, choose <strong>Use a recovery key</strong> and type this key; or run{' '}
          <code>kith unlock --recovery-key-stdin</code>.
        </li>
        <li>Kith then asks for a new master password. The old one stops working.</li>
        <li>Keep this sheet away from the computer, like a spare house key. Anyone holding it and this computer can open the vault.</li>
      </ol>
      <div class="generator-actions no-print">
        <button type="button" class="button primary" data-testid="print-kit" onClick={() => window.print()}>
          Print the kit
        </button>
        <CopyButton value={recoveryKey} what="Recovery key" testId="copy-recovery-key" />
        <button type="button" class="button" data-testid="close-kit" onClick={onClose}>
          I have kept it
        </button>
      </div>
      <p class="hint no-print">This key is shown this once. Making a new one replaces it.</p>
    </section>
  )
}
