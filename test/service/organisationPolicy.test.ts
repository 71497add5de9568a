import { describe, it, expect } from 'vitest'
import { ownership, urlHost, normalizeDomain } from '../../daemon/service/organisationPolicy.js'

const org = 'acme-corp.example'
const item = (urls: string[], username = ''): { urls: string[]; username: string } => ({ urls, username })

describe('organisation ownership', () => {
  it.each([
    [['https://acme-corp.example/login'], ''],
    [['https://sso.acme-corp.example'], ''],
    [['HTTPS://Mail.ACME-CORP.example:8443/x'], ''],
    [['acme-corp.example/wiki'], ''],
    [['vpn.eu.acme-corp.example'], ''],
    [['https://github.com'], 'jane@acme-corp.example'],
    [['https://github.com'], 'jane@eu.acme-corp.example'],
    [['https://personal.example', 'https://intranet.acme-corp.example'], 'me@gmail.example']
  ])("is the organisation's: %j %s", (urls, username) => {
    expect(ownership(item(urls, username), org).organisation).toBe(true)
  })

  it.each([
    [['https://notacme-corp.example'], ''],
    [['https://acme-corp.example.phish.test/login'], ''],
    [['acme-corp.example.phish.test'], ''],
    [['https://github.com/acme-corp.example'], ''],
    [['https://user@evil.test/acme-corp.example'], ''],
    [[], 'jane@notacme-corp.example'],
    [[], 'jane@acme-corp.example.phish.test'],
    [[], 'acme-corp.example'],
    [['not a url at all'], 'plain-user']
  ])('is personal: %j %s', (urls, username) => {
    const result = ownership(item(urls, username), org)
    expect(result.organisation).toBe(false)
    expect(result.reason).not.toBe('')
  })

  it('reads hosts the way a person means them', () => {
    expect(urlHost('example.com/path')).toBe('example.com')
    expect(urlHost('  https://EXAMPLE.com.  ')).toBe('example.com')
    expect(urlHost('')).toBeUndefined()
    expect(normalizeDomain('https://Acme-Corp.example/')).toBe('acme-corp.example')
    expect(normalizeDomain('localhost')).toBeUndefined()
  })
})
