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
