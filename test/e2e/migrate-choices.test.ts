/**
 * `kith migrate` that cannot mislead (issue 15 item 6, newcomer report F18), on a real daemon:
 * several `--org-domain` all count, `--keep ID` keeps an item whatever the rule says, an item with
 * no URL and no e-mail address is flagged "no evidence either way", and moved items keep their ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestDaemon } from '../helpers/daemonProcess.js'

describe('migrate: several domains, --keep, no evidence, ids kept', () => {
  let d: TestDaemon
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    d = await TestDaemon.create()
    await d.start()
    await d.init()
    await d.kith(['vault', 'create', 'Work'])
    const add = async (title: string, args: string[]) => {
      ids[title] = JSON.parse((await d.kith(['add', '--vault', 'Work', '--title', title, ...args, '--json'])).stdout).id as string
    }
    await add('VPN', ['--url', 'https://vpn.acme-corp.example'])
    await add('Steam', ['--url', 'https://store.steampowered.com'])
    await add('Netflix', ['--url', 'https://netflix.example'])
    await add('Home server', [])
    await add('eBay', ['--url', 'https://ebay.example'])
  })
  afterAll(async () => {
    await d?.destroy()
  })

  const migrate = async (extra: string[]) => {
    const res = await d.kith(['migrate', '--from', 'Work', '--to', 'Personal', ...extra, '--json'])
    expect(res.code, res.stderr).toBe(0)
    return JSON.parse(res.stdout) as {
      moved: string[]
      kept: string[]
      details: Array<{ id: string; action: string; evidence: string; reason: string }>
    }
  }

  it('every --org-domain counts, and an item with nothing to go on is flagged', async () => {
    const plan = await migrate(['--org-domain', 'acme-corp.example', '--org-domain', 'steampowered.com', '--dry-run'])
    expect(plan.kept.sort()).toEqual([ids.VPN, ids.Steam].sort())
    const home = plan.details.find(x => x.id === ids['Home server'])
    expect(home).toMatchObject({ action: 'move', evidence: 'none' })
    expect(home?.reason).toContain('no evidence either way')
    const human = await d.kith(['migrate', '--from', 'Work', '--to', 'Personal', '--org-domain', 'acme-corp.example', '--dry-run'])
    expect(human.stdout).toContain(`no evidence either way: --keep ${ids['Home server']}`)
  })

  it('--keep keeps an item; an unknown --keep is refused before anything moves', async () => {
    const bad = await d.kith([
      'migrate',
      '--from',
      'Work',
      '--to',
      'Personal',
      '--org-domain',
      'acme-corp.example',
      '--keep',
      'nope',
      '--json'
    ])
    expect(bad.code).not.toBe(0)
    expect(JSON.parse(bad.stdout).error.message).toContain('--keep')
    expect((await d.api('GET', '/api/items?vault=Work')).body).toHaveLength(5)

    const plan = await migrate([
      '--org-domain',
      'acme-corp.example',
      '--org-domain',
      'steampowered.com',
      '--keep',
      ids['Home server'] as string
    ])
    expect(plan.moved.sort()).toEqual([ids.Netflix, ids.eBay].sort())
    const work = (await d.api('GET', '/api/items?vault=Work')).body.map((i: { title: string }) => i.title).sort()
    expect(work).toEqual(['Home server', 'Steam', 'VPN'])
    // moved items keep their ids
    for (const title of ['Netflix', 'eBay']) {
      const item = (await d.api('GET', `/api/items/${ids[title]}`)).body
      expect(item).toMatchObject({ id: ids[title], title, vault: 'Personal' })
    }
  })
})
