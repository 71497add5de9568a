/**
 * Devices: the paired devices (online, last seen), an invitation for a new device as a QR code and
 * a copyable one-line link, devices that wait for approval (compare their words, then approve or
 * deny), and removal (the vault keys rotate so a removed device reads nothing new).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { Device, Invitation, WaitingDevice } from '../types.js'
import { timeAgo } from '../format.js'
import { messageOf, toast } from '../toast.js'
import { Icon } from './Icon.js'
import { ConfirmButton, CopyButton } from './ui.js'

/** The QR encoder (uqr, 5 KB gzip) is a chunk of its own: only an invitation needs it, not the first screen. */
const loadQr = async (): Promise<typeof import('../qr.js')> => await import('../qr.js')

/** An invitation with its QR code drawn (the encoder loaded). */
interface ShownInvitation {
  invitation: Invitation
  qr: { size: number; d: string }
}

function Qr({ qr: { size, d } }: { qr: ShownInvitation['qr'] }) {
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      width="220"
      height="220"
      role="img"
      aria-label="QR code of the invitation"
      data-testid="invitation-qr"
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} class="qr-bg" />
      <path d={d} class="qr-fg" />
    </svg>
  )
}

function InvitationPanel({ shown: { invitation, qr }, onDone }: { shown: ShownInvitation; onDone: () => void }) {
  const expires = typeof invitation.expiresAt === 'number' ? invitation.expiresAt : Date.parse(invitation.expiresAt)
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [])
  const left = Math.max(0, Math.round((expires - now) / 1000))
  return (
    <section class="card invitation-card" aria-labelledby="invite-title">
      <h3 id="invite-title">Invitation for a new device</h3>
      <div class="invitation-body">
        <Qr qr={qr} />
        <div class="invitation-text">
          <p>
            On the new device, start Kith and choose <strong>Join from another device</strong>, then scan this code or paste the invitation.
            From a terminal: <code>kith pair join --password-stdin</code> (the invitation on the first line). It then shows four words and
            waits for you to approve it here.
          </p>
          <label for="invitation-text">Invitation</label>
          <div class="input-with-button">
            <textarea
              id="invitation-text"
              class="invitation"
              data-testid="invitation"
              readOnly
              rows={3}
              spellcheck={false}
              onFocus={e => e.currentTarget.select()}
            >
              {invitation.invitation}
            </textarea>
            <CopyButton value={invitation.invitation} what="Invitation" testId="copy-invitation" />
          </div>
          <p class={left === 0 ? 'error' : 'muted'}>
            {left === 0
              ? 'This invitation has expired.'
              : `Works once, for the next ${left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s` : `${left} s`}.`}
          </p>
          <button type="button" class="button" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    </section>
  )
}

/** Compare the words, then approve or deny: nothing reaches the new device before Approve. */
function ApprovalDialog({ device, onClose }: { device: WaitingDevice; onClose: () => void }) {
  const [busy, setBusy] = useState(false)
  const decide = async (approve: boolean): Promise<void> => {
    setBusy(true)
    try {
      if (approve) await api.approveDevice(device.id)
      else await api.denyDevice(device.id)
      toast(approve ? `Approved ${device.name || 'the new device'}; it is joining` : `Refused ${device.name || 'the new device'}`)
      onClose()
    } catch (err) {
      toast(messageOf(err), 'error')
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card approval" role="dialog" aria-labelledby="approval-title" data-testid="approval-dialog">
      <h3 id="approval-title">Approve {device.name || 'a new device'}?</h3>
      <p>Approve only if the new device shows exactly these words:</p>
      <p class="words" data-testid="approval-words">
        {device.words.join(' ')}
      </p>
      <p class="muted">If they differ, someone else may be using the invitation: deny it.</p>
      <div class="view-actions">
        <button type="button" class="button primary" data-testid="approve-confirm" disabled={busy} onClick={() => void decide(true)}>
          Approve
        </button>
        <button type="button" class="button danger" data-testid="deny-device" disabled={busy} onClick={() => void decide(false)}>
          Deny
        </button>
        <button type="button" class="button" disabled={busy} onClick={onClose}>
          Later
        </button>
      </div>
    </section>
  )
}

/** Who removed this device and when, in local time (status.removed), if it was removed. */
function removalMessage(removed: unknown): string | undefined {
  const r = removed as { byName?: unknown; at?: unknown } | null | undefined
  if (typeof r?.byName !== 'string') return undefined
  const when = typeof r.at === 'string' ? ` on ${new Date(r.at).toLocaleString()}` : ''
  const who = r.byName === 'this device' ? 'This device removed itself from your devices' : `${r.byName} removed this device${when}`
  return `${who}. It no longer syncs with your other devices. To use it with your vaults again, erase it (Delete everything in Settings, or kith destroy) and pair it anew.`
}

export function Devices({ devices, waiting, reload }: { devices: Device[] | null; waiting: WaitingDevice[]; reload: () => Promise<void> }) {
  const [invitation, setInvitation] = useState<ShownInvitation>()
  /** the devices there were when the invitation was made: a new one in the list means it was used */
  const [before, setBefore] = useState<Set<string>>()
  const [joined, setJoined] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [approving, setApproving] = useState<WaitingDevice>()
  const [quarantined, setQuarantined] = useState<Array<{ deviceId: string; vaultId: string }>>([])
  /** this device's roster says it was removed: who removed it and when, as the daemon words it */
  const [removed, setRemoved] = useState<string>()

  // devices whose equivocation this device caught (sync goes on with everyone else)
  useEffect(() => {
    api
      .status()
      .then(s => {
        setQuarantined(Array.isArray(s.quarantined) ? (s.quarantined as Array<{ deviceId: string; vaultId: string }>) : [])
        setRemoved(removalMessage(s.removed))
      })
      .catch(() => undefined)
  }, [devices])

  useEffect(() => {
    void reload()
  }, [reload])
  // the invitation was used: the panel closes and names the device that joined
  useEffect(() => {
    if (invitation === undefined || before === undefined || devices === null) return
    const newcomer = devices.find(d => !before.has(d.id))
    if (newcomer === undefined) return
    setInvitation(undefined)
    setBefore(undefined)
    setJoined(newcomer.name || `${newcomer.id.slice(0, 12)}…`)
  }, [devices, invitation, before])
  // fetch the encoder while the page is read, so Invite shows its code at once (a failure shows on Invite)
  useEffect(() => {
    loadQr().catch(() => undefined)
  }, [])

  const invite = async (): Promise<void> => {
    setBusy(true)
    try {
      const [created, { qrPath }] = await Promise.all([api.invite(), loadQr()])
      setBefore(new Set((devices ?? []).map(d => d.id)))
      setJoined(undefined)
      setInvitation({ invitation: created, qr: qrPath(created.invitation) })
    } catch (err) {
      toast(`Could not create an invitation: ${messageOf(err)}`, 'error')
    } finally {
      setBusy(false)
    }
  }
  const revoke = async (device: Device): Promise<void> => {
    try {
      await api.revokeDevice(device.id)
      toast(`Removed ${device.name}; the vault keys were rotated`)
      await reload()
    } catch (err) {
      toast(messageOf(err), 'error')
    }
  }

  return (
    <main class="page devices-page" aria-labelledby="devices-title">
      <div class="page-header">
        <h2 id="devices-title">Devices</h2>
        {devices !== null && (
          <button
            type="button"
            class="button primary"
            data-testid="invite"
            disabled={busy}
            onClick={() => {
              void invite()
            }}
          >
            <Icon name="plus" /> Invite a device
          </button>
        )}
      </div>
      {devices === null && <p class="notice">This daemon does not offer device pairing yet. The vault stays on this device.</p>}
      {removed !== undefined && (
        <section class="card notice error" role="alert" data-testid="removed-notice">
          <h3>This device is no longer one of your devices</h3>
          <p>{removed}</p>
        </section>
      )}
      {quarantined.length > 0 && (
        <section class="card notice error" role="alert" data-testid="quarantine-notice">
          <h3>A device sent two different versions of its changes</h3>
          <p>
            Kith stopped taking changes from{' '}
            {quarantined.map(q => devices?.find(d => d.id === q.deviceId)?.name || `${q.deviceId.slice(0, 12)}…`).join(', ')} and kept the
            proof. A device only does this if it was tampered with: remove it unless you know why.
          </p>
        </section>
      )}
      {joined !== undefined && (
        <p class="notice" role="status" data-testid="invitation-joined">
          {joined} joined. The invitation is used up.
        </p>
      )}
      {invitation !== undefined && (
        <InvitationPanel
          shown={invitation}
          onDone={() => {
            setInvitation(undefined)
            void reload()
          }}
        />
      )}
      {waiting.length > 0 && (
        <ul class="device-list" aria-label="Devices waiting for approval">
          {waiting.map(w => (
            <li key={w.id} class="device-row card" data-testid="waiting-device">
              <span class="dot offline" aria-hidden="true" />
              <div class="device-text">
                <span class="device-name">
                  <strong>{w.name !== '' ? w.name : w.id.slice(0, 12)}</strong>
                  <span class="badge">Waiting for approval</span>
                </span>
              </div>
              <button type="button" class="button primary small" data-testid="approve-device" onClick={() => setApproving(w)}>
                Review…
              </button>
            </li>
          ))}
        </ul>
      )}
      {approving !== undefined && waiting.some(w => w.id === approving.id) && (
        <ApprovalDialog
          device={approving}
          onClose={() => {
            setApproving(undefined)
            void reload()
          }}
        />
      )}
      {devices !== null && (
        <ul class="device-list" aria-label="Paired devices">
          {devices.map(d => (
            <li key={d.id} class="device-row card" data-testid="device-row">
              <span class={`dot ${d.online || d.self ? 'online' : 'offline'}`} aria-hidden="true" />
              <div class="device-text">
                <span class="device-name">
                  <strong>{d.name !== '' ? d.name : d.peerId.slice(0, 12)}</strong>
                  {d.self && <span class="badge">This device</span>}
                  {d.kind === 'backup-peer' && (
                    <span class="badge" title="Relays and keeps sealed copies; holds no key">
                      Backup peer
                    </span>
                  )}
                </span>
                <span class="muted">
                  {d.self
                    ? 'Online'
                    : d.online
                      ? d.connection === 'relayed'
                        ? 'Online through a backup peer'
                        : 'Online now'
                      : `Last seen ${timeAgo(d.lastSeen)}`}{' '}
                  · <code title={d.peerId}>{d.peerId.slice(0, 16)}…</code>
                </span>
                <span class="muted" data-testid="device-keys">
                  {d.vaults.length > 0 ? `Vaults: ${d.vaults.join(', ')}` : 'No vault'}
                  {d.fingerprint !== null && (
                    <>
                      {' '}
                      · keys <code title="The same on every device: compare it when in doubt">{d.fingerprint}</code>
                    </>
                  )}
                </span>
              </div>
              {!d.self && (
                <ConfirmButton
                  class="button danger small"
                  confirmText="Click again to remove"
                  testId="revoke-device"
                  onConfirm={() => {
                    void revoke(d)
                  }}
                >
                  Remove
                </ConfirmButton>
              )}
            </li>
          ))}
        </ul>
      )}
      <section class="card help">
        <h3>Adding a device</h3>
        <ol>
          <li>
            Here, choose <strong>Invite a device</strong>. The invitation works once, for a few minutes.
          </li>
          <li>
            On the new device, open its Kith dashboard and choose <strong>Join from another device</strong>, or run{' '}
            <code>kith pair join</code>.
          </li>
          <li>Paste the invitation and choose a master password for that device.</li>
          <li>The new device shows four words. It appears here as waiting: approve it only if this page shows the same words.</li>
        </ol>
        <p class="muted">
          Devices talk to each other directly, end-to-end encrypted. Removing a device rotates the vault keys, so it cannot read anything
          written afterwards.
        </p>
      </section>
    </main>
  )
}
