/**
 * The password-health rules, as a pure function of the live items, a keyed hash of each password and
 * the strength score of each hash (docs/whitepaper.md "Password health" explains each rule):
 * - weak: the estimator's score is below WEAK_BELOW;
 * - reused: the same password is in another item that is not the same account (another site or another username);
 * - old: the password has not changed for more than a year;
 * - totp-missing: no TOTP secret, while another item for the same site has one, or this item keeps a
 *   one-time-code secret in a custom field (where Kith cannot make codes from it);
 * - duplicate: another item has the same site and the same username.
 */
import type { CustomField } from '../../vault/Item.js'
import type { StrengthScore } from './StrengthEstimator.js'
import { WEAK_BELOW } from './StrengthEstimator.js'
import { sitesOf } from './siteOf.js'

export const HEALTH_ISSUES = ['weak', 'reused', 'old', 'totp-missing', 'duplicate'] as const
export type HealthIssue = (typeof HEALTH_ISSUES)[number]

/** A password unchanged for longer than this is old. */
export const OLD_AFTER_MS = 365 * 24 * 60 * 60 * 1000

/** What the rules read of an item (live items only: the trash is not checked). */
export interface HealthEntry {
  id: string
  vault: string
  title: string
  username: string
  password: string
  urls: string[]
  totp: string | null
  fields: CustomField[]
  updatedAt: string
  /** when the password was last set; absent for items written before Kith recorded it (then updatedAt) */
  passwordChangedAt?: string
}

export interface HealthItem {
  id: string
  title: string
  vault: string
  issues: HealthIssue[]
  /** the strength score (0–4) when the item has a password and it was estimated */
  score: StrengthScore | null
  /** when the password was last set, as far as Kith knows (ISO 8601), or null without a password */
  passwordChangedAt: string | null
  /** the other items that hold the same password (reused; at most MAX_LINKED) */
  reusedWith: string[]
  /** the other items for the same site and username (duplicate) */
  duplicateOf: string[]
  /** the items for the same site that have a TOTP secret (totp-missing) */
  totpElsewhere: string[]
}

export interface HealthReport {
  /** the items with at least one issue */
  items: HealthItem[]
  /** how many items have each issue */
  summary: Record<HealthIssue, number>
  /** how many live items were checked */
  checked: number
  generatedAt: string
}

export interface HealthInputs {
  /** the keyed hash of each entry's password ('' for none), in the entries' order */
  digests: readonly string[]
  /** undefined while a password is not estimated yet: it is not called weak */
  scoreOf: (digest: string) => StrengthScore | undefined
  now: Date
}

const OTP_FIELD_NAME = /\b(?:t?otp|2fa|mfa|one[\s-]?time|authenticator|two[\s-]?factor)\b/i
const OTP_SECRET = /^(?:otpauth:\/\/\S+|[A-Z2-7]{16,}=*)$/i

/** A custom field that holds a one-time-code secret Kith does not use (its name says so, its value looks like one). */
function otpSecretInField(fields: readonly CustomField[]): boolean {
  return fields.some(f => OTP_FIELD_NAME.test(f.name) && OTP_SECRET.test(f.value.replace(/\s+/g, '')))
}

const accountName = (username: string): string => username.trim().toLowerCase()

/** At most this many other items are named per link list (a password in 5,000 items must not make the report quadratic). */
export const MAX_LINKED = 20

/** Up to MAX_LINKED ids of `others` (not `self`) that pass `keep`, stopping early. */
function linked(self: Prepared, others: Iterable<Prepared>, keep: (o: Prepared) => boolean): string[] {
  const ids: string[] = []
  for (const o of others) {
    if (o === self || !keep(o)) continue
    ids.push(o.id)
    if (ids.length === MAX_LINKED) break
  }
  return ids
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base' })

/**
 * What the rules read of one item once its password is hashed and its URLs parsed: no password, so
 * it can be kept for the next report (and sealed on disk, HealthRows) without reading the item again.
 */
export interface HealthRow {
  id: string
  vault: string
  title: string
  /** the keyed hash of the password, '' for none */
  digest: string
  /** the distinct sites of its URLs */
  sites: string[]
  /** the username, trimmed and lower-cased */
  account: string
  hasTotp: boolean
  /** a custom field holds a one-time-code secret Kith does not use */
  otpInField: boolean
  /** when the password was last set (or the item updated), null without a password */
  changedAt: string | null
}

/** The row of one entry, given the keyed hash of its password ('' for none). */
export function healthRow(entry: HealthEntry, digest: string): HealthRow {
  return {
    id: entry.id,
    vault: entry.vault,
    title: entry.title,
    digest,
    sites: sitesOf(entry.urls),
    account: accountName(entry.username),
    hasTotp: entry.totp !== null,
    otpInField: otpSecretInField(entry.fields),
    changedAt: digest === '' ? null : (entry.passwordChangedAt ?? entry.updatedAt)
  }
}

type Prepared = HealthRow

/** Two entries for one account: a shared site and the same non-empty username. */
function sameAccount(a: Prepared, b: Prepared): boolean {
  return a.account !== '' && a.account === b.account && a.sites.some(s => b.sites.includes(s))
}

function groupBy<K>(list: readonly Prepared[], keysOf: (p: Prepared) => readonly K[]): Map<K, Prepared[]> {
  const groups = new Map<K, Prepared[]>()
  for (const p of list)
    for (const key of keysOf(p)) {
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [p])
      else group.push(p)
    }
  return groups
}

export function healthReport(entries: readonly HealthEntry[], inputs: HealthInputs): HealthReport {
  return healthReportOfRows(
    entries.map((entry, i) => healthRow(entry, inputs.digests[i] ?? '')),
    inputs
  )
}

/** The report over rows already prepared (healthRow), in the same order and with the same verdicts as healthReport. */
export function healthReportOfRows(rows: readonly HealthRow[], inputs: Omit<HealthInputs, 'digests'>): HealthReport {
  const byPassword = groupBy(rows, p => (p.digest === '' ? [] : [p.digest]))
  const bySite = groupBy(rows, p => p.sites)
  const summary = Object.fromEntries(HEALTH_ISSUES.map(i => [i, 0])) as Record<HealthIssue, number>
  const items: HealthItem[] = []
  const now = inputs.now.getTime()

  for (const p of rows) {
    const issues: HealthIssue[] = []
    const hasPassword = p.digest !== ''
    const score = hasPassword ? (inputs.scoreOf(p.digest) ?? null) : null
    if (score !== null && score < WEAK_BELOW) issues.push('weak')

    const reusedWith = hasPassword ? linked(p, byPassword.get(p.digest) ?? [], o => !sameAccount(p, o)) : []
    if (reusedWith.length > 0) issues.push('reused')

    const changedAt = hasPassword ? p.changedAt : null
    const changedMs = changedAt === null ? Number.NaN : Date.parse(changedAt)
    if (hasPassword && Number.isFinite(changedMs) && now - changedMs > OLD_AFTER_MS) issues.push('old')

    const siteMates = p.sites.length === 1 ? (bySite.get(p.sites[0] as string) ?? []) : new Set(p.sites.flatMap(s => bySite.get(s) ?? []))
    const totpElsewhere = p.hasTotp ? [] : linked(p, siteMates, o => o.hasTotp)
    if (!p.hasTotp && (totpElsewhere.length > 0 || p.otpInField)) issues.push('totp-missing')

    const duplicateOf = linked(p, siteMates, o => sameAccount(p, o))
    if (duplicateOf.length > 0) issues.push('duplicate')

    if (issues.length === 0) continue
    for (const issue of issues) summary[issue]++
    items.push({
      id: p.id,
      title: p.title,
      vault: p.vault,
      issues,
      score,
      passwordChangedAt: changedAt,
      reusedWith,
      duplicateOf,
      totpElsewhere
    })
  }
  items.sort((a, b) => b.issues.length - a.issues.length || collator.compare(a.title, b.title) || a.id.localeCompare(b.id))
  return { items, summary, checked: rows.length, generatedAt: inputs.now.toISOString() }
}
