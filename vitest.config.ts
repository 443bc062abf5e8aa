import {defineConfig} from 'vitest/config'

// The tiers, cheapest first, and run in that order (groupOrder): the e2e tier comes last, by when the Vault
// that .ci/run builds in the background is ready. `npm run test:unit` runs the first in seconds.
const TIERS = ['unit', 'golden', 'cli', 'go', 'e2e']
const tier = (name: string, include: string[]) => ({extends: true as const, test: {name, include, sequence: {groupOrder: TIERS.indexOf(name)}}})

export default defineConfig({
  test: {
    // The CLI, Go and Vault tiers run real processes; the unit tier finishes in seconds.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two files at a time: much of a real-process test is waiting (Vault starting, raft electing, a plugin
    // reloading), so two halve the e2e tier even on two cores. No test asserts a duration (bench/ does).
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      tier('unit', ['test/unit/**/*.test.ts']),
      tier('golden', ['test/golden/**/*.test.ts']),
      tier('cli', ['test/cli/**/*.test.ts']),
      tier('go', ['test/go/**/*.test.ts']),
      tier('e2e', ['test/e2e/**/*.test.ts']),
    ],
  },
})
