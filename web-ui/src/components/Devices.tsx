/**
 * Devices: the paired devices (online, last seen), an invitation for a new device as a QR code and
 * a copyable one-line link, and removal (the vault keys rotate so a removed device reads nothing new).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import type { Device, Invitation } from '../types.js'
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
            From a terminal: <code>kith pair join '…' --password-stdin</code>.
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
          {invitation.code !== '' && (
            <p>
              Short code:{' '}
              <strong class="short-code" data-testid="invitation-code">
                {invitation.code}
              </strong>
            </p>
          )}
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

export function Devices({ devices, reload }: { devices: Device[] | null; reload: () => Promise<void> }) {
  const [invitation, setInvitation] = useState<ShownInvitation>()
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    void reload()
  }, [reload])
  // fetch the encoder while the page is read, so Invite shows its code at once (a failure shows on Invite)
  useEffect(() => {
    loadQr().catch(() => undefined)
  }, [])

  const invite = async (): Promise<void> => {
    setBusy(true)
    try {
      const [created, { qrPath }] = await Promise.all([api.invite(), loadQr()])
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
      {invitation !== undefined && (
        <InvitationPanel
          shown={invitation}
          onDone={() => {
            setInvitation(undefined)
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
                </span>
                <span class="muted">
                  {d.self ? 'Online' : d.online ? 'Online now' : `Last seen ${timeAgo(d.lastSeen)}`} ·{' '}
                  <code title={d.peerId}>{d.peerId.slice(0, 16)}…</code>
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
        </ol>
        <p class="muted">
          Devices talk to each other directly, end-to-end encrypted. Removing a device rotates the vault keys, so it cannot read anything
          written afterwards.
        </p>
      </section>
    </main>
  )
}
