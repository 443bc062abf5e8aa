import {homedir} from 'node:os'
import {join} from 'node:path'
import {defineConfig} from 'vitest/config'

// The tiers. The e2e tier runs last (groupOrder), by when the Vault that .ci/run builds in the background is
// ready; the others run as one group, so that two workers stay busy until the last of them ends rather than
// one idling at the end of each tier. `npm run test:unit` runs the unit tier alone in seconds.
// The e2e tier runs three files at a time: two left a fifth of both cores idle (Vault starting, raft
// electing, a plugin reloading), and a third took the tier from 251 s to 211 s here. The others compile
// Go all the time, and a third file would only share the same two cores.
// Only the e2e tier sets its own, so that `vitest --maxWorkers N` still applies to the others.
const tier = (name: string, include: string[]) => {
  const e2e = name === 'e2e'
  return {extends: true as const, test: {name, include, ...(e2e && {maxWorkers: 3}), sequence: {groupOrder: e2e ? 1 : 0}}}
}

export default defineConfig({
  // Vitest keeps each file's last duration here and starts the longest first, which keeps the last file of a
  // group from running alone. In the user's cache, so that a fresh clone (CI's) has them too.
  cacheDir: join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vaultkit-dev', 'vite'),
  test: {
    // The CLI, Go and Vault tiers run real processes; the unit tier finishes in seconds.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two files at a time (three in the e2e tier, above). No test asserts a duration (bench/ does).
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
