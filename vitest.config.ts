import {defineConfig} from 'vitest/config'

// The tiers, cheapest first. `npm run test:unit` runs the first in seconds; `npm test` runs them all.
const tier = (name: string, include: string[]) => ({extends: true as const, test: {name, include}})

export default defineConfig({
  test: {
    // The CLI, Go and Vault tiers run real processes; the unit tier finishes in seconds.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // One file at a time: the e2e tiers time rebuilds, and two cores are all there is.
    fileParallelism: false,
    projects: [
      tier('unit', ['test/unit/**/*.test.ts']),
      tier('golden', ['test/golden/**/*.test.ts']),
      tier('cli', ['test/cli/**/*.test.ts']),
      tier('go', ['test/go/**/*.test.ts']),
      tier('e2e', ['test/e2e/**/*.test.ts']),
    ],
  },
})
