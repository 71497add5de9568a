/**
 * Four test tiers, one vitest project each; test/helpers/tiers.ts says which files run in which.
 * `npm run test:unit` runs one tier (`vitest run --project unit`); `npm test` runs them all,
 * cheapest first, after `npm run test:tiers` checked that every test file is in exactly one.
 *
 *   unit         in-process, no real daemon, Chromium, LevelDB or network socket; the whole tier < 30 s
 *   integration  real LevelDB, real libp2p over 127.0.0.1 in-process, child processes that are not daemons
 *   e2e          real daemon processes (dist/kith.mjs through bin/kith.js)
 *   browser      Chromium driving the dashboard of a real daemon
 */
import { defineConfig } from 'vitest/config'
import { TIERS } from './test/helpers/tiers.js'

export default defineConfig({
  test: {
    setupFiles: ['daemon/polyfills.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2 cores here: end-to-end tests start real daemons, so keep parallelism modest
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summaryReporter.ts'],
    projects: TIERS.map((tier, order) => ({
      extends: true,
      test: {
        name: tier.name,
        include: tier.include,
        exclude: tier.exclude,
        // tiers run one after another, cheapest first, so a unit failure shows before the slow ones
        sequence: { groupOrder: order }
      }
    }))
  }
})
