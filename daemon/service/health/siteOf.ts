/**
 * The site an item's URL names, for the health rules: its host name, lower-cased, without a leading
 * "www." ("https://www.Example.com/login" and "example.com" are one site). No public-suffix list (it
 * would need the network or a large table): "a.example.com" and "b.example.com" stay two sites.
 */
export function siteOf(url: string): string | undefined {
  const trimmed = url.trim()
  if (trimmed === '') return undefined
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let host: string
  try {
    host = new URL(withScheme).hostname.toLowerCase()
  } catch {
    return undefined
  }
  if (host === '') return undefined
  return host.startsWith('www.') ? host.slice(4) : host
}

/** The distinct sites of an item's URLs. */
export function sitesOf(urls: readonly string[]): string[] {
  const sites = new Set<string>()
  for (const url of urls) {
    const site = siteOf(url)
    if (site !== undefined) sites.add(site)
  }
  return [...sites]
}
