/**
 * `npm run bench`: builds the bundle, then runs each bench script in turn, one at a time (they
 * start real daemons and would disturb each other's figures). Each writes bench/results/<name>.json.
 * Options: --quick (fewer iterations, passed on), --only NAME[,NAME], --skip NAME[,NAME].
 * Run: npm run bench [-- --quick] [-- --skip dashboard]
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from '../test/helpers/daemonProcess.js'

/** In the order they run: quick one-device figures first, the long memory runs and the browser last. */
export const BENCHES = [
  'one-device',
  'transfers-daemon',
  'import-export',
  'health',
  'sync-propagation',
  'sync-join',
  'backup-peer',
  'nat',
  'memory',
  'history',
  'attachments',
  'dashboard',
  'passkey-unlock'
]

const SCRIPT: Record<string, string> = { 'import-export': 'import-export.bench.ts', 'passkey-unlock': 'passkeyUnlock.ts' }

function listOption(name: string): string[] | undefined {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : (process.argv[i + 1] ?? '').split(',').filter(s => s !== '')
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env })
  return await new Promise(resolve => child.once('exit', code => resolve(code ?? 1)))
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick')
  const only = listOption('--only')
  const skip = listOption('--skip') ?? []
  const unknown = [...(only ?? []), ...skip].filter(n => !BENCHES.includes(n))
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`)
  const chosen = BENCHES.filter(n => (only === undefined || only.includes(n)) && !skip.includes(n))
  if ((await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build-daemon.mjs')])) !== 0) throw new Error('npm run build failed')
  const failed: string[] = []
  for (const name of chosen) {
    process.stdout.write(`\n### bench ${name}${quick ? ' (quick)' : ''}\n`)
    const t0 = performance.now()
    const script = join(REPO_ROOT, 'bench', SCRIPT[name] ?? `${name}.ts`)
    const code = await run(process.execPath, ['--import', 'tsx', script, ...(quick ? ['--quick'] : [])], {
      ...process.env,
      ...(quick ? { KITH_BENCH_QUICK: '1' } : {})
    })
    process.stdout.write(
      `### ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`
    )
    if (code !== 0) failed.push(name)
  }
  process.stdout.write(
    `\n${chosen.length - failed.length} of ${chosen.length} benches ran; figures in bench/results/*.json${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}\n`
  )
  return failed.length === 0 ? 0 : 1
}

process.exitCode = await main()
