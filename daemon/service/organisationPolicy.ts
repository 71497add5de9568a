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

/** A domain name as given by a person: lower-cased, no scheme, path or trailing dot. */
export function normalizeDomain(value: string): string | undefined {
  const host = urlHost(value)
  return host?.includes('.') === true ? host : undefined
}
