/** kith config · config set · config unset: the daemon's settings in HOME/config.json (cli/DaemonConfig.ts). */
import { allowOnly } from '../args.js'
import { CliError, EXIT } from '../CliError.js'
import type { Command } from '../Command.js'
import { CONFIG_KEYS, type ConfigKey, describeConfig, parseConfigValue, readDaemonConfig, writeDaemonConfig } from '../DaemonConfig.js'
import { readDaemonInfo } from '../DaemonClient.js'
import { homePaths } from '../../paths.js'

const KEYS_HELP = `keys: ${CONFIG_KEYS.join(', ')} (listen takes comma-separated multiaddrs; mdns true/false; attachmentLimitMb 1-4096; logLevel debug/info/warn/error)`

function keyOf(raw: string | undefined, usage: string): ConfigKey {
  if (raw === undefined) throw new CliError('usage', `usage: ${usage}`, EXIT.usage)
  if (!(CONFIG_KEYS as readonly string[]).includes(raw)) throw new CliError('usage', `unknown setting ${raw}; ${KEYS_HELP}`, EXIT.usage)
  return raw as ConfigKey
}

async function restartNote(home: string): Promise<string> {
  return (await readDaemonInfo(home)) === undefined
    ? ''
    : '\nthe running daemon keeps its settings until it restarts (`kith stop && kith start`)'
}

export const configCommand: Command = {
  name: 'config',
  usage: 'kith config [--json]',
  summary: "the daemon's settings (dashboard address, listen addresses, mDNS, auto-lock, log level) that every start reads",
  help: KEYS_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [])
    const config = await readDaemonConfig(ctx.home)
    ctx.out(`${homePaths(ctx.home).config}\n${describeConfig(config)}\n${JSON.stringify(config, null, 2)}`, config)
  }
}

export const configSetCommand: Command = {
  name: 'config set',
  usage: 'kith config set KEY VALUE',
  summary: 'change a daemon setting (takes effect at the next start)',
  help: KEYS_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [])
    const [rawKey, value] = ctx.args.positionals
    const key = keyOf(rawKey, configSetCommand.usage)
    if (value === undefined) throw new CliError('usage', `usage: ${configSetCommand.usage}`, EXIT.usage)
    const config = { ...(await readDaemonConfig(ctx.home)), [key]: parseConfigValue(key, value) }
    await writeDaemonConfig(ctx.home, config)
    ctx.out(`${key} set; ${describeConfig(config)}${await restartNote(ctx.home)}`, config)
  }
}

export const configUnsetCommand: Command = {
  name: 'config unset',
  usage: 'kith config unset KEY',
  summary: 'return a daemon setting to its default (at the next start)',
  help: KEYS_HELP,
  async run(ctx) {
    allowOnly(ctx.args, [])
    const key = keyOf(ctx.args.positionals[0], configUnsetCommand.usage)
    const config = { ...(await readDaemonConfig(ctx.home)) }
    delete config[key]
    await writeDaemonConfig(ctx.home, config)
    ctx.out(`${key} back to its default; ${describeConfig(config)}${await restartNote(ctx.home)}`, config)
  }
}
