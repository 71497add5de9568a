/**
 * `kith completion bash|zsh|fish` (issue 14): the scripts are made from the command table, the bash
 * one parses (`bash -n`) and completes commands, subcommands, flags and formats when sourced and
 * called as bash calls it (COMP_WORDS, COMP_CWORD); zsh and fish parse when those shells exist.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOOLEAN_FLAGS } from '../../daemon/cli/args.js'
import { COMMANDS } from '../../daemon/cli/commands/index.js'
import { bashCompletion } from '../../daemon/cli/completion/bashCompletion.js'
import { completionModel } from '../../daemon/cli/completion/completionModel.js'
import { fishCompletion } from '../../daemon/cli/completion/fishCompletion.js'
import { zshCompletion } from '../../daemon/cli/completion/zshCompletion.js'

const model = completionModel(COMMANDS)
let dir: string
let bashFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kith-completion-'))
  bashFile = join(dir, 'kith.bash')
  await writeFile(bashFile, bashCompletion(model))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** What bash offers for the command line `words` (the last one being completed). */
function complete(...words: string[]): string[] {
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _kith; printf '%s\\n' "\${COMPREPLY[@]}"`
  const res = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', bashFile, 'kith', ...words], { encoding: 'utf8' })
  expect(res.stderr).toBe('')
  expect(res.status).toBe(0)
  return res.stdout.split('\n').filter(w => w !== '')
}

describe('the completion model', () => {
  it('has every command of the table, and knows which flags take a value exactly as the argument parser does', () => {
    expect(model.commands.map(c => c.name)).toEqual(COMMANDS.map(c => c.name))
    for (const c of model.commands)
      for (const f of c.flags) expect(model.valueFlags.includes(f), `${c.name} ${f}`).toBe(!BOOLEAN_FLAGS.has(f.slice(2)))
  })

  it('gives `kith start` the flags of `kith daemon` ([same flags as kith daemon])', () => {
    const flags = (name: string) => model.commands.find(c => c.name === name)?.flags
    expect(flags('start')).toEqual(flags('daemon'))
    expect(flags('daemon')).toContain('--no-mdns')
  })
})

describe('the bash script', () => {
  it('parses (bash -n)', () => {
    const res = spawnSync('bash', ['-n', bashFile], { encoding: 'utf8' })
    expect(res.stderr).toBe('')
    expect(res.status).toBe(0)
  })

  it('completes the first word from every command and group', () => {
    const all = complete('')
    for (const w of ['daemon', 'vault', 'pair', 'devices', 'service', 'completion', 'add', 'list']) expect(all).toContain(w)
    expect(complete('va')).toEqual(['vault'])
    expect(complete('se')).toEqual(['service'])
  })

  it('completes subcommands, flags, formats and shells', () => {
    expect(complete('vault', '')).toEqual(['list', 'create'])
    expect(complete('service', 'i')).toEqual(['install'])
    expect(complete('devices', '')).toEqual(['revoke', 'grant', 'ungrant'])
    expect(complete('service', 'install', '--')).toEqual(['--dry-run', '--force', '--home', '--json', '--help'])
    expect(complete('import', '')).toContain('keepass-xml')
    expect(complete('import', 'kd')).toEqual(['kdbx'])
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish'])
    expect(complete('list', '--tr')).toEqual(['--trashed'])
  })

  it("skips flags and their values to find the command, and offers nothing for a flag's value", () => {
    expect(complete('--home', '/tmp/x', 'vault', 'l')).toEqual(['list'])
    expect(complete('--json', 'service', 's')).toEqual(['status'])
    expect(complete('add', '--vault', '')).toEqual([])
    expect(complete('vault', 'list', '')).toEqual([])
  })
})

const has = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0
describe('zsh and fish', () => {
  for (const [shell, script, check] of [
    ['zsh', zshCompletion(model), ['-n']],
    ['fish', fishCompletion(model), ['--no-execute']]
  ] as const) {
    if (!has(shell)) console.warn(`\n!! ${shell} not found: the ${shell} completion script is generated but not parsed\n`)
    it.runIf(has(shell))(`the ${shell} script parses`, async () => {
      const file = join(dir, `kith.${shell}`)
      await writeFile(file, script)
      const res = spawnSync(shell, [...check, file], { encoding: 'utf8' })
      expect(res.stderr).toBe('')
      expect(res.status).toBe(0)
    })
  }

  it.runIf(has('fish'))('fish completes subcommands (with their summaries), flags and formats, and no file for a typed value', async () => {
    const file = join(dir, 'kith.fish')
    await writeFile(file, fishCompletion(model))
    const fish = (line: string): string[] => {
      const res = spawnSync('fish', ['--no-config', '-c', `source $argv[1]; complete -C $argv[2]`, file, line], { encoding: 'utf8' })
      expect(res.stderr).toBe('')
      return res.stdout.split('\n').filter(w => w !== '')
    }
    expect(fish('kith vault ')).toEqual(['create\tcreate a vault with its own key', 'list\tlist vaults'])
    expect(fish('kith --home /tmp serv')).toEqual(['service'])
    expect(fish('kith service install --')).toEqual(['--dry-run', '--force', '--help', '--home', '--json'])
    expect(fish('kith import kd')).toEqual(['kdbx'])
    expect(fish('kith add --vault ')).toEqual([])
  })

  it.runIf(has('zsh'))('zsh completes subcommands, flags and formats (compadd stood in for, outside a widget)', async () => {
    const file = join(dir, 'kith.zsh')
    await writeFile(file, zshCompletion(model))
    const zsh = (...line: string[]): string[] => {
      const script =
        'compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }; source $1; shift; words=("$@"); CURRENT=$#; _kith'
      const res = spawnSync('zsh', ['-f', '-c', script, 'zsh', file, 'kith', ...line], { encoding: 'utf8' })
      expect(res.stderr).toBe('')
      return res.stdout.split('\n').filter(w => w !== '')
    }
    expect(zsh('--home', '/tmp', 'vault', '')).toEqual(['list', 'create'])
    expect(zsh('service', 'install', '--')).toEqual(['--dry-run', '--force', '--home', '--json', '--help'])
    expect(zsh('completion', '')).toEqual(['bash', 'zsh', 'fish'])
    expect(zsh('add', '--vault', '')).toEqual([])
  })

  it('both name every command', () => {
    for (const c of model.commands) {
      expect(zshCompletion(model)).toContain(`'${c.name}'`)
      expect(fishCompletion(model)).toContain(`'${c.name}'`)
    }
  })
})
