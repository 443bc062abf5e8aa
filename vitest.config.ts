import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI, Go and Vault tiers run real processes; the unit tier finishes in well under a second.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // One file at a time: the e2e tiers time rebuilds, and two cores are all there is.
    fileParallelism: false,
  },
})
