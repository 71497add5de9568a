/**
 * The login service's files (issue 14): the systemd user unit and the launchd plist say what they
 * must (the daemon's runtime flags, hardening, no secret), name paths safely, and go where XDG and
 * macOS say; the installer never replaces or removes a file Kith did not write without --force.
 */
import { spawnSync } from 'node:child_process'
import { lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ForeignUnitError, ServiceStartError, UnsafePathError } from '../../daemon/cli/autostart/AutostartError.js'
import { checkedLaunch, currentLaunch, type DaemonLaunch } from '../../daemon/cli/autostart/DaemonLaunch.js'
import { LAUNCHD_LABEL, LAUNCHD_MARKER, launchdPlistPath, renderLaunchdPlist } from '../../daemon/cli/autostart/launchdPlist.js'
import { installService, serviceStatus, uninstallService, type ServiceTarget } from '../../daemon/cli/autostart/ServiceInstaller.js'
import type { EnableOutcome, ManagerState, ServiceManager } from '../../daemon/cli/autostart/ServiceManager.js'
import { SYSTEMD_MARKER, renderSystemdUnit, systemdUnitPath } from '../../daemon/cli/autostart/systemdUnit.js'
import { DAEMON_NODE_FLAGS } from '../../daemon/installRoot.js'

const LAUNCH: DaemonLaunch = {
  home: '/home/ada/.local/share/kith',
  node: '/usr/bin/node',
  bin: '/opt/kith/bin/kith.js',
  nodeFlags: ['--expose-gc', '--max-semi-space-size=1'],
  env: { MALLOC_MMAP_THRESHOLD_: '131072' }
}

const setting = (unit: string, key: string): string[] =>
  unit
    .split('\n')
    .filter(l => l.startsWith(`${key}=`))
    .map(l => l.slice(key.length + 1))

describe('the systemd user unit', () => {
  const unit = renderSystemdUnit(LAUNCH)

  it('starts this node with the daemon flags, this bin/kith.js and this home, and the daemon environment', () => {
    expect(unit.split('\n')[0]).toBe(SYSTEMD_MARKER)
    expect(setting(unit, 'ExecStart')).toEqual([
      '/usr/bin/node --expose-gc --max-semi-space-size=1 /opt/kith/bin/kith.js daemon --home /home/ada/.local/share/kith'
    ])
    expect(setting(unit, 'Environment')).toEqual(['MALLOC_MMAP_THRESHOLD_=131072'])
    expect(setting(unit, 'WantedBy')).toEqual(['default.target'])
  })

  it('is hardened: no core dumps, no new privileges, restart on failure, umask 077, read-only system but the home', () => {
    for (const [key, value] of [
      ['LimitCORE', '0'],
      ['NoNewPrivileges', 'yes'],
      ['Restart', 'on-failure'],
      ['UMask', '0077'],
      ['PrivateTmp', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ReadWritePaths', LAUNCH.home],
      ['LockPersonality', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
      ['SystemCallFilter', '@system-service']
    ])
      expect(setting(unit, key as string), key).toEqual([value])
    // V8's JIT writes and runs machine code: this option would crash the daemon
    expect(unit).not.toContain('MemoryDenyWriteExecute')
  })

  it('is the same text for the same launch (deterministic), and holds nothing but the launch', () => {
    expect(renderSystemdUnit({ ...LAUNCH })).toBe(unit)
    expect(unit).not.toMatch(/token|secret|passphrase|KITH_/i)
  })

  it('quotes a home with spaces and escapes % and $ so systemd passes them through as written', () => {
    const odd = renderSystemdUnit({ ...LAUNCH, home: '/home/ada/My Vault 100%$HOME' })
    expect(setting(odd, 'ExecStart')[0]).toContain('--home "/home/ada/My Vault 100%%$$HOME"')
    expect(setting(odd, 'ReadWritePaths')).toEqual(['"/home/ada/My Vault 100%%$HOME"'])
  })

  it('leaves out the private /tmp for a home under /tmp or /var/tmp (it would hide the home)', () => {
    for (const home of ['/tmp/kith', '/var/tmp/kith/home']) {
      const u = renderSystemdUnit({ ...LAUNCH, home })
      expect(setting(u, 'PrivateTmp')).toEqual([])
      expect(setting(u, 'ReadWritePaths')).toEqual([home])
    }
    expect(setting(renderSystemdUnit({ ...LAUNCH, home: '/home/ada/tmp/kith' }), 'PrivateTmp')).toEqual(['yes'])
  })

  it('refuses paths it cannot write safely (relative, quotes, backslashes, new lines)', () => {
    for (const home of ['relative/home', '/home/a"b', '/home/a\\b', '/home/a\nExecStartPre=/bin/evil'])
      expect(() => checkedLaunch({ ...LAUNCH, home })).toThrow(UnsafePathError)
    expect(() => checkedLaunch({ ...LAUNCH, node: 'node' })).toThrow(UnsafePathError)
  })

  it('goes to $XDG_CONFIG_HOME/systemd/user when that is absolute, else ~/.config/systemd/user', () => {
    expect(systemdUnitPath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/ada')).toBe('/x/cfg/systemd/user/kith.service')
    expect(systemdUnitPath({}, '/home/ada')).toBe('/home/ada/.config/systemd/user/kith.service')
    expect(systemdUnitPath({ XDG_CONFIG_HOME: 'relative' }, '/home/ada')).toBe('/home/ada/.config/systemd/user/kith.service')
  })

  it("runs this install: this process's node and the daemon's own flags", () => {
    const launch = currentLaunch('/tmp/kith-home')
    expect(launch.node).toBe(process.execPath)
    expect(launch.bin).toMatch(/[/\\]bin[/\\]kith\.js$/)
    expect(launch.nodeFlags).toEqual(DAEMON_NODE_FLAGS)
  })
})

describe('the launchd agent', () => {
  const plist = renderLaunchdPlist({ ...LAUNCH, home: '/Users/ada/Kith & <Co>' })
  const parsed = new XMLParser({ ignoreDeclaration: true, ignoreAttributes: true }).parse(plist) as {
    plist: { dict: { key: string[]; string: string[]; array: { string: string[] } } }
  }

  it('is a plist naming the label, the program arguments (escaped) and the runtime settings', () => {
    expect(plist).toContain(LAUNCHD_MARKER)
    const dict = parsed.plist.dict
    expect(dict.key).toEqual([
      'Label',
      'ProgramArguments',
      'EnvironmentVariables',
      'RunAtLoad',
      'KeepAlive',
      'ThrottleInterval',
      'Umask',
      'SoftResourceLimits',
      'HardResourceLimits',
      'StandardOutPath',
      'StandardErrorPath'
    ])
    expect(dict.array.string).toEqual([
      '/usr/bin/node',
      '--expose-gc',
      '--max-semi-space-size=1',
      '/opt/kith/bin/kith.js',
      'daemon',
      '--home',
      '/Users/ada/Kith & <Co>'
    ])
    expect(dict.string[0]).toBe(LAUNCHD_LABEL)
    expect(plist).toContain('<key>Core</key>\n\t\t<integer>0</integer>')
    expect(plist).toContain('<key>Umask</key>\n\t<integer>63</integer>')
    expect(plist).toContain('<key>SuccessfulExit</key>\n\t\t<false/>')
    expect(launchdPlistPath('/Users/ada')).toBe(`/Users/ada/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`)
  })

  const hasPlutil = spawnSync('sh', ['-c', 'command -v plutil']).status === 0
  if (!hasPlutil) console.warn('\n!! plutil not found (not macOS): the launchd plist is checked by parsing only, not linted by plutil\n')
  it.runIf(hasPlutil)('passes plutil -lint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-plist-'))
    try {
      const file = join(dir, 'agent.plist')
      await writeFile(file, plist)
      const res = spawnSync('plutil', ['-lint', file], { encoding: 'utf8' })
      expect(res.status, res.stdout + res.stderr).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

class FakeManager implements ServiceManager {
  readonly kind = 'systemd'
  calls: string[] = []
  constructor(readonly reachable: boolean) {}
  enableCommands(): string[] {
    return ['enable by hand']
  }
  disableCommands(): string[] {
    return ['disable by hand']
  }
  failing = false
  async enable(path: string): Promise<EnableOutcome> {
    this.calls.push(`enable ${path}`)
    return this.failing ? 'failed' : this.reachable ? 'enabled' : 'unreachable'
  }
  diagnoseCommands(): string[] {
    return ['look here']
  }
  async disable(path: string): Promise<boolean> {
    this.calls.push(`disable ${path}`)
    return this.reachable
  }
  async forget(): Promise<void> {
    this.calls.push('forget')
  }
  async state(): Promise<ManagerState> {
    return { reachable: this.reachable, enabled: this.reachable, active: this.reachable }
  }
}

describe('the installer', () => {
  let dir: string
  let target: ServiceTarget
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-service-'))
    const home = join(dir, 'home')
    target = {
      path: join(dir, 'cfg', 'systemd', 'user', 'kith.service'),
      content: renderSystemdUnit({ ...LAUNCH, home }),
      marker: SYSTEMD_MARKER,
      home,
      manager: new FakeManager(false)
    }
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the unit 0600, creates the home 0700, and gives the commands when no manager answers', async () => {
    const result = await installService(target)
    expect(result).toEqual({ path: target.path, enabled: false, commands: ['enable by hand'], replaced: false })
    expect(await readFile(target.path, 'utf8')).toBe(target.content)
    expect((await lstat(target.path)).mode & 0o777).toBe(0o600)
    expect((await lstat(target.home)).mode & 0o777).toBe(0o700)
    expect(await serviceStatus(target)).toMatchObject({ installed: true, ours: true, current: true, reachable: false })
  })

  it('enables it through the manager when one answers, and replaces its own unit on a second install', async () => {
    const manager = new FakeManager(true)
    target.manager = manager
    expect((await installService(target)).enabled).toBe(true)
    const again = await installService({ ...target, content: `${target.content}# changed\n` })
    expect(again).toMatchObject({ enabled: true, commands: [], replaced: true })
    expect(manager.calls).toEqual([`enable ${target.path}`, `enable ${target.path}`])
    expect(await serviceStatus(target)).toMatchObject({ ours: true, current: false, enabled: true, active: true })
  })

  it('reports a manager that refuses to enable or start the unit as an error naming where to look (the unit stays)', async () => {
    const manager = new FakeManager(true)
    manager.failing = true
    target.manager = manager
    await expect(installService(target)).rejects.toThrow(ServiceStartError)
    await expect(installService(target)).rejects.toThrow(/look here/)
    expect(await readFile(target.path, 'utf8')).toBe(target.content)
  })

  it('refuses to replace or remove a unit it did not write (or a symbolic link) without --force', async () => {
    await installService(target)
    const foreign = '[Service]\nExecStart=/usr/bin/something-else\n'
    await writeFile(target.path, foreign)
    await expect(installService(target)).rejects.toThrow(ForeignUnitError)
    await expect(uninstallService(target)).rejects.toThrow(ForeignUnitError)
    expect(await readFile(target.path, 'utf8')).toBe(foreign)
    expect(await serviceStatus(target)).toMatchObject({ installed: true, ours: false })

    await rm(target.path)
    await writeFile(join(dir, 'elsewhere'), `${SYSTEMD_MARKER}\n`)
    await symlink(join(dir, 'elsewhere'), target.path)
    await expect(installService(target)).rejects.toThrow(ForeignUnitError)

    await installService(target, { force: true })
    expect((await lstat(target.path)).isSymbolicLink()).toBe(false)
    expect(await readFile(join(dir, 'elsewhere'), 'utf8')).toBe(`${SYSTEMD_MARKER}\n`)
  })

  it('uninstall disables, removes and tells the manager; nothing installed is not an error', async () => {
    const manager = new FakeManager(true)
    target.manager = manager
    await installService(target)
    expect(await uninstallService(target)).toEqual({ path: target.path, removed: true, commands: [] })
    await expect(lstat(target.path)).rejects.toThrow()
    expect(manager.calls.slice(1)).toEqual([`disable ${target.path}`, 'forget'])
    expect(await uninstallService(target)).toEqual({ path: target.path, removed: false, commands: [] })
  })
})
