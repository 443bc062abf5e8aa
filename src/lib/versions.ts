// The one place that pins what generated projects build against. Raise these together, then run
// `npm test`: the Go tier compiles, vets and tests every kind with them.
/** Required directly by one kind and as a floor (below) by the others. */
const crypto = 'v0.59.0'
const pgx = 'v5.9.2'

export const goVersions = {
  /** `go` directive of generated go.mod files: the oldest Go the modules below accept (golang.org/x/net's floor needs 1.26). */
  goDirective: '1.26.0',
  /**
   * Written to .go-version for CI (actions/setup-go): the first Go 1.26 release whose standard library has
   * no known vulnerability that a generated plugin calls (1.26.9 and 1.26.10 fixed those of 1.26.8).
   */
  goToolchain: '1.26.10',
  sdk: 'v0.25.1',
  api: 'v1.23.0',
  hclog: 'v1.6.3',
  /** golang.org/x/crypto, for bcrypt in the auth kind, and a floor for the others (below). */
  crypto,
  /** The database kind: PostgreSQL's pure-Go driver, and the SDK's config parsing helpers. */
  pgx,
  parseutil: 'v0.2.0',
  /**
   * Modules the SDK pulls in, required at least at these versions: below them a generated plugin calls
   * functions with known vulnerabilities (govulncheck with the Go vulnerability database of 2026-11-05).
   * test/go/kinds.test.ts keeps every kind clean; raise a floor when it names a module. Floors also keep
   * the built binary clean of advisories it merely links (x/crypto's openpgp, pgx's sanitizer, x/net's
   * html), so that the release gate settles each platform from the binary alone; release-trust.test.ts
   * checks that. A kind that requires one of these directly leaves it out of its floors.
   */
  floors: [
    {module: 'github.com/jackc/pgx/v5', version: pgx},
    {module: 'golang.org/x/crypto', version: crypto},
    {module: 'golang.org/x/net', version: 'v0.62.0'},
    {module: 'golang.org/x/text', version: 'v0.41.0'},
    {module: 'google.golang.org/grpc', version: 'v1.83.2'},
  ],
  /** The linter the generated CI workflow runs, as HashiCorp's plugin repositories do; so does the Go tier. */
  staticcheck: 'v0.8.2',
  /** The vulnerability scanner of `plugin audit`, the release gate and the generated CI workflow. */
  govulncheck: 'v1.9.0',
} as const

/**
 * The Vault release `vaultkit server install` builds from the Go module proxy when no vault binary is
 * found. The proxy does not serve Vault's submodules (./sdk, ./api, ...) at the release commit, so each
 * comes from a tag; where the release branch had backported changes that no tag holds, a shim adapts the
 * call site (each must match exactly once, or the build stops and says so).
 */
export const vaultRelease = {
  version: 'v1.21.4',
  submodules: {
    sdk: 'v0.21.0',
    api: 'v1.22.0',
    'api/auth/approle': 'v0.1.0',
    'api/auth/userpass': 'v0.1.0',
    'api/auth/kubernetes': 'v0.10.0',
  } as Record<string, string>,
  shims: [
    // sdk v0.21.0 passes the flag name to ActivationFunc; release/1.21.x does not.
    {
      file: 'vault/identity_store.go',
      from: 'ActivationFunc: iStore.activateDeduplication,',
      to: 'ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },',
    },
    {
      file: 'vault/logical_system_activation_flags.go',
      from: 'b.idStoreBackend.ActivationFunc(ctx, nil)',
      to: 'b.idStoreBackend.ActivationFunc(ctx, nil, "")',
    },
    // release/1.21.x backported RestorePolicy returning (name, error); sdk v0.21.0 returns only error.
    {
      file: 'builtin/logical/transit/path_restore.go',
      from: 'restoredKeyName, err := b.lm.RestorePolicy(',
      to: 'restoredKeyName, err := keyName, b.lm.RestorePolicy(',
    },
  ],
}

/** Delve, installed with `go install` into vaultkit's cache the first time `plugin dev --debug` runs. */
export const delveVersion = 'v1.27.2'

/** `v1.10.0` after `v1.9.2`: numeric parts compared as numbers, a pre-release before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.replace(/^v/, '').split('-', 2)
    return {parts: core.split('.').map(Number), pre}
  }
  const x = parse(a)
  const y = parse(b)
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0)
    if (d !== 0) return d
  }
  if (x.pre === y.pre) return 0
  if (x.pre === undefined) return 1
  if (y.pre === undefined) return -1
  return x.pre < y.pre ? -1 : 1
}
