// The one place that pins what generated projects build against. Raise these together, then run
// `npm test`: the Go tier compiles, vets and tests every kind with them.
export const goVersions = {
  /** `go` directive of generated go.mod files: the oldest Go the SDK below accepts. */
  goDirective: '1.25.7',
  /** Written to .go-version for CI (actions/setup-go). */
  goToolchain: '1.26.8',
  sdk: 'v0.25.1',
  api: 'v1.23.0',
  hclog: 'v1.6.3',
} as const

/**
 * The Vault release `vaultkit server install` builds from the Go module proxy when no vault binary is
 * found, and the versions of its locally-replaced submodules (./sdk, ./api) known to build with it: the
 * proxy does not serve those submodules at the release commit.
 */
export const vaultRelease = {
  version: 'v1.20.4',
  submodules: {sdk: 'v0.18.0', api: 'v1.20.0'} as Record<string, string>,
}
