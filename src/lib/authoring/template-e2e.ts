import {UserError} from '../errors.js'
import {DEPLOY_STAGES, deploy} from '../registration/deploy.js'
import {acceptanceEnv, acceptanceRun, databaseFor, describeTier, goTestTier} from '../testing/plugin-test.js'
import {readProject} from '../project/project.js'
import type {DatabaseConnection} from '../registration/register-database.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import {devServerClient, startDevServer, stopDevServer} from '../vault/server.js'

interface E2eOptions {
  vaultBin?: string
  database?: DatabaseConnection
}

export const E2E_STAGES = ['vault dev server', ...DEPLOY_STAGES, 'acceptance tests'] as const

type StageRunner = <T>(stage: (typeof E2E_STAGES)[number], run: () => Promise<T>, describe: (value: T) => string) => Promise<T>

/**
 * `template test --e2e`: the rendered project in a real Vault dev server of its own, as `plugin dev` runs it
 * once, then its acceptance tests against it as `plugin test` runs them, each stage through `stage`.
 * Loaded only for --e2e. The server is stopped whatever happens.
 */
export async function runE2e(projectDir: string, options: E2eOptions, stage: StageRunner): Promise<void> {
  const {state} = await stage(
    'vault dev server',
    async () => {
      const vault = await ensureVaultBinary({vaultBin: options.vaultBin})
      const {state} = await startDevServer(await readProject(projectDir), vault.path)
      return {state, version: /v\d+\.\d+\.\d+(?:[-+][\w.]+)?/.exec(vault.version)?.[0] ?? vault.version}
    },
    ({state, version}) => `${version} at ${state.addr}`,
  )
  try {
    const project = await readProject(projectDir)
    const database = project.pluginType === 'database' ? databaseFor(options.database, process.env.PG_URL) : options.database
    const deployed = await deploy({client: devServerClient(state)}, projectDir, {database}, stage)
    await stage(
      'acceptance tests',
      async () => {
        const run = acceptanceRun(await goTestTier(project, 'unit'))
        if (!run) return undefined
        const vault = {addr: state.addr, token: state.token, path: deployed.registered.path, version: deployed.built.version}
        const tier = await goTestTier(project, 'acceptance', {run, env: acceptanceEnv(project, vault)})
        if (tier.failed) throw new UserError(`acceptance tests failed: ${tier.failures.join(', ')}`, 'run `vaultkit plugin test` in the project (--keep keeps it) to see their output')
        return tier
      },
      (tier) => (tier ? describeTier(tier) : 'none (no test skips without VAULT_ACC)'),
    )
  } finally {
    await stopDevServer(projectDir)
  }
}
