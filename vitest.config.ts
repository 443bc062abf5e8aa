import {defineConfig} from 'vitest/config'

// The tiers, cheapest first, and run in that order (groupOrder): the e2e tier comes last, by when the Vault
// that .ci/run builds in the background is ready. `npm run test:unit` runs the first in seconds.
const TIERS = ['unit', 'golden', 'cli', 'go', 'e2e']
const tier = (name: string, include: string[], parallel = {}) => ({extends: true as const, test: {name, include, sequence: {groupOrder: TIERS.indexOf(name)}, ...parallel}})

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
      tier('cli', ['test/cli/**/*.test.ts'], {fileParallelism: true, maxWorkers: 2}),
      tier('go', ['test/go/**/*.test.ts'], {fileParallelism: true, maxWorkers: 2}),
      tier('e2e', ['test/e2e/**/*.test.ts'], {fileParallelism: true, maxWorkers: 2}),
    ],
  },
})
