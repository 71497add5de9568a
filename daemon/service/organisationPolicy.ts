/**
 * Which items belong to an organisation (issue 5's migrate rule): an item is the organisation's
 * when the host of any of its URLs is the organisation's domain or a subdomain of it, or when its
 * username is an e-mail address at that domain or a subdomain. Look-alikes are not
 * (notacme-corp.example, acme-corp.example.phish.test).
 */
import type { Item } from '../vault/Item.js'

/** The lower-cased host of a URL; a URL without a scheme is read as host/path. */
export function urlHost(url: string): string | undefined {
  const trimmed = url.trim()
  if (trimmed === '') return undefined
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`
  try {
    const host = new URL(withScheme).hostname.toLowerCase()
    return host === '' ? undefined : host.replace(/\.$/, '')
  } catch {
    return undefined
  }
}

/** True when host is exactly domain or ends with "." + domain. */
export function isDomainOrSubdomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/^\.+|\.+$/g, '')
  const h = host.toLowerCase().replace(/\.$/, '')
  return h === d || h.endsWith(`.${d}`)
}

export interface Ownership {
  organisation: boolean
  reason: string
}

export function ownership(item: Pick<Item, 'urls' | 'username'>, domain: string): Ownership {
  for (const url of item.urls) {
    const host = urlHost(url)
    if (host !== undefined && isDomainOrSubdomain(host, domain)) return { organisation: true, reason: `URL ${url} is on ${domain}` }
  }
  const at = item.username.lastIndexOf('@')
  if (at > 0) {
    const emailDomain = item.username.slice(at + 1).trim()
    if (emailDomain !== '' && isDomainOrSubdomain(emailDomain, domain))
      return { organisation: true, reason: `username ${item.username} is an address at ${domain}` }
  }
  return { organisation: false, reason: 'no URL or e-mail address on the organisation domain' }
}

/**
 * Ownership against several organisation domains: the organisation's when any says so; otherwise
 * `evidence` tells "another owner" (a URL or e-mail elsewhere) from "nothing to go on".
 */
export function ownershipOf(
  item: Pick<Item, 'urls' | 'username'>,
  domains: string[]
): Ownership & { evidence: 'organisation' | 'other' | 'none' } {
  for (const domain of domains) {
    const o = ownership(item, domain)
    if (o.organisation) return { ...o, evidence: 'organisation' }
  }
  const hasUrl = item.urls.some(u => urlHost(u) !== undefined)
  const hasEmail = item.username.lastIndexOf('@') > 0
  if (!hasUrl && !hasEmail)
    return {
      organisation: false,
      reason: "no URL or e-mail address: no evidence either way (keep it if it could be the organisation's)",
      evidence: 'none'
    }
  return { organisation: false, reason: `no URL or e-mail address on ${domains.join(' or ')}`, evidence: 'other' }
}

/** A domain name as given by a person: lower-cased, no scheme, path or trailing dot. */
export function normalizeDomain(value: string): string | undefined {
  const host = urlHost(value)
  return host?.includes('.') === true ? host : undefined
}
