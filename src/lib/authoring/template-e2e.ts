import {DEPLOY_STAGES, deploy} from '../registration/deploy.js'
import {readProject} from '../project/project.js'
import type {DatabaseConnection} from '../registration/register-database.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import {devServerClient, startDevServer, stopDevServer} from '../vault/server.js'

interface E2eOptions {
  vaultBin?: string
  database?: DatabaseConnection
}

export const E2E_STAGES = ['vault dev server', ...DEPLOY_STAGES] as const

type StageRunner = <T>(stage: (typeof E2E_STAGES)[number], run: () => Promise<T>, describe: (value: T) => string) => Promise<T>

/**
 * `template test --e2e`: the rendered project in a real Vault dev server of its own, as `plugin dev` runs it
 * once, each stage through `stage`. Loaded only for --e2e. The server is stopped whatever happens.
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
    await deploy({client: devServerClient(state)}, projectDir, {database: options.database}, stage)
  } finally {
    await stopDevServer(projectDir)
  }
}
