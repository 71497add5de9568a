/**
 * Who is calling and what it may do. Authentication yields a Principal; every authenticated route
 * names the scope it needs (`requireScope`), so a narrower caller (a browser extension) can be let
 * in without being let in everywhere.
 */

export const SCOPES = [
  /** list, search and read items and vaults; TOTP codes; the event stream; lock; end one's own session */
  'items:read',
  /** create, edit, trash, restore and purge items; create vaults; migrate; generate passwords */
  'items:write',
  /** plaintext and encrypted exports */
  'export',
  'import',
  /** the device roster, invitations, approving or denying a joining device, removing devices */
  'devices:manage',
  /** the master password (later passkeys and second factors); minting dashboard login links */
  'unlock:manage',
  /** auto-lock and other settings */
  'settings',
  /** crypto-erase this device's vault */
  'destroy'
] as const

export type Scope = (typeof SCOPES)[number]

export type PrincipalKind = 'cli' | 'dashboard' | 'extension' | 'device-tools'

export interface Principal {
  kind: PrincipalKind
  scopes: ReadonlySet<Scope>
}

/** What each kind of caller may do today. */
export const SCOPES_BY_KIND: Record<PrincipalKind, readonly Scope[]> = {
  cli: SCOPES,
  dashboard: SCOPES,
  extension: ['items:read'],
  'device-tools': ['devices:manage']
}

export function principalOf(kind: PrincipalKind): Principal {
  return { kind, scopes: new Set(SCOPES_BY_KIND[kind]) }
}
