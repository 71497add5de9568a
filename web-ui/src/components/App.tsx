/**
 * Which screen to show: first run, unlock, or the vault. A `kith open` login link (#login=CODE) is
 * redeemed once at start; a lost session (lock, auto-lock, expiry) brings back the unlock screen.
 */
import { useCallback, useEffect, useState } from 'preact/hooks'
import { api, forgetSession, onSessionLost } from '../api.js'
import { takeLoginCode } from '../router.js'
import { messageOf } from '../toast.js'
import type { Status } from '../types.js'
import { Unlock } from './Unlock.js'
import { Shell } from './Shell.js'
import { Toasts } from './Toasts.js'
import { ReauthDialog } from './ReauthDialog.js'
import { lazyComponent } from './lazyComponent.js'

const NewPassword = lazyComponent(async () => (await import('./NewPassword.js')).NewPassword)
const ConfirmForCli = lazyComponent(async () => (await import('./ConfirmForCli.js')).ConfirmForCli)
/** First run happens once per device: its form (and the weak-password check) stays out of the first load. */
const FirstRun = lazyComponent(async () => (await import('./FirstRun.js')).FirstRun)

type Phase =
  | { name: 'loading' }
  | { name: 'first-run' }
  | { name: 'unlock'; notice?: string }
  | { name: 'ready' }
  /** unlocked with the recovery key: a new master password first */
  | { name: 'new-password' }
  /** a `kith` command waits for the password and a passkey (#/confirm-cli) */
  | { name: 'confirm-cli' }
  | { name: 'error'; message: string }

export function App() {
  const [phase, setPhase] = useState<Phase>({ name: 'loading' })

  const boot = useCallback(async (): Promise<void> => {
    const code = takeLoginCode()
    let linkFailed = false
    if (code !== undefined) {
      // redeem at once (the usual case); only when that fails does the status say why
      try {
        await api.redeemLogin(code)
        const after = await api.status().catch(() => undefined)
        setPhase(after?.needsNewPassword === true ? { name: 'new-password' } : { name: 'ready' })
        return
      } catch {
        linkFailed = true
      }
    }
    let status: Status
    try {
      status = await api.status()
    } catch (err) {
      setPhase({ name: 'error', message: `Cannot reach the Kith daemon: ${messageOf(err)}` })
      return
    }
    if (!status.initialized) {
      setPhase({ name: 'first-run' })
      return
    }
    if (!status.locked && location.hash === '#/confirm-cli') {
      setPhase({ name: 'confirm-cli' })
      return
    }
    if (linkFailed) {
      setPhase({
        name: 'unlock',
        notice: status.locked
          ? 'The vault is locked, so the login link cannot be used. Unlock with your master password.'
          : 'That login link was used already or has expired. Run `kith open` again, or unlock here.'
      })
      return
    }
    setPhase({ name: 'unlock' })
  }, [])

  useEffect(() => {
    void boot()
  }, [boot])
  useEffect(
    () =>
      onSessionLost(() =>
        setPhase({ name: 'unlock', notice: "This page's session ended (the vault was locked, or the page sat idle). Unlock to go on." })
      ),
    []
  )

  const locked = useCallback((notice: string) => {
    forgetSession()
    setPhase({ name: 'unlock', notice })
  }, [])

  let screen: preact.JSX.Element
  switch (phase.name) {
    case 'loading':
      screen = (
        <main class="gate">
          <p class="muted" role="status">
            Opening Kith…
          </p>
        </main>
      )
      break
    case 'error':
      screen = (
        <main class="gate">
          <div class="gate-card">
            <h1>Kith</h1>
            <p class="error" role="alert">
              {phase.message}
            </p>
            <button
              type="button"
              class="button"
              onClick={() => {
                setPhase({ name: 'loading' })
                void boot()
              }}
            >
              Try again
            </button>
          </div>
        </main>
      )
      break
    case 'first-run':
      screen = <FirstRun onDone={() => setPhase({ name: 'ready' })} />
      break
    case 'unlock':
      screen = (
        <Unlock
          notice={phase.notice}
          onDone={needsNewPassword => setPhase(needsNewPassword === true ? { name: 'new-password' } : { name: 'ready' })}
        />
      )
      break
    case 'confirm-cli':
      screen = (
        <ConfirmForCli
          onLeave={() => {
            history.replaceState(null, '', '#/')
            setPhase({ name: 'unlock' })
          }}
        />
      )
      break
    case 'new-password':
      screen = <NewPassword onDone={() => setPhase({ name: 'ready' })} />
      break
    case 'ready':
      screen = <Shell onLocked={locked} />
      break
  }
  return (
    <>
      {screen}
      {phase.name === 'ready' && <ReauthDialog />}
      <Toasts />
    </>
  )
}
