import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['daemon/polyfills.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2 cores here: end-to-end tests start real daemons, so keep parallelism modest
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summaryReporter.ts']
  }
})
