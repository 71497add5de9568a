/** kith health: the password-health report of every live item, computed by the daemon on this device. */
import { allowOnly } from '../args.js'
import { DaemonClient } from '../DaemonClient.js'
import { countOf } from '../countOf.js'
import type { Command } from '../Command.js'

const POLL_MS = 500

export const healthCommand: Command = {
  name: 'health',
  usage: 'kith health [--json]',
  summary: 'list items with weak, reused or old passwords, a one-time code missing, or a duplicate (no network)',
  help: [
    'weak: the strength estimator (zxcvbn-ts) gives the password a score below 3 of 4 (fewer than 10^8 guesses).',
    'reused: another item (another site or username) has the same password. old: unchanged for over a year.',
    'totp-missing: no one-time-code secret while another item for the same site has one, or a custom field holds one.',
    'duplicate: another item has the same site and username. --json: {"items": [{"id", "title", "issues", …}], "summary", …}'
  ].join('\n'),
  async run(ctx) {
    allowOnly(ctx.args, [])
    const client = await DaemonClient.connect(ctx.home)
    // the first report after an unlock estimates every distinct password in the background: asked again until complete
    let report = await client.json(client.api.health.$get())
    let told = false
    while (!report.complete) {
      if (!told) process.stderr.write(`kith: estimating the strength of ${countOf(report.pending, 'password')} (once after each unlock)…\n`)
      told = true
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
      report = await client.json(client.api.health.$get())
    }
    const lines = report.items.map(i => `${i.issues.join(',')}\t${i.title}\t${i.vault}\t${i.id}`)
    const counts = Object.entries(report.summary)
      .filter(([, n]) => n > 0)
      .map(([issue, n]) => `${n} ${issue}`)
    lines.push(
      report.items.length === 0
        ? `all ${countOf(report.checked, 'item')} look healthy`
        : `${countOf(report.items.length, 'item')} of ${report.checked} need attention: ${counts.join(', ')}`
    )
    ctx.out(lines.join('\n'), report)
  }
}
