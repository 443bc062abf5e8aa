import {buildPlugin} from './build.js'
import {readProject} from './project.js'
import {defaultPath, registerPlugin} from './register.js'
import type {DatabaseConnection} from './register-database.js'
import {smokeTest} from './smoke.js'
import type {VaultClient} from './vault/client.js'
import {ensureVaultBinary} from './vault/install.js'
import {devServerClient, startDevServer, stopDevServer} from './vault/server.js'

interface E2eOptions {
  vaultBin?: string
  database?: DatabaseConnection
}

/**
 * `template test --e2e`: the rendered project in a real Vault dev server, as `plugin dev` runs it once.
 * Loaded only for --e2e. The dev server is the project's own and is stopped by `stop`.
 */
export function e2eSteps(projectDir: string, options: E2eOptions) {
  let client: VaultClient | undefined
  let started = false
  const project = () => readProject(projectDir)
  let built: Awaited<ReturnType<typeof buildPlugin>> | undefined
  const steps = [
    {
      title: 'vault dev server',
      run: async () => {
        const vault = await ensureVaultBinary({vaultBin: options.vaultBin})
        const {state} = await startDevServer(await project(), vault.path)
        started = true
        client = devServerClient(state)
        return {status: 'ok' as const, detail: `${/v\d+\.\d+\.\d+(?:[-+][\w.]+)?/.exec(vault.version)?.[0] ?? vault.version} at ${state.addr}`}
      },
    },
    {
      title: 'plugin build',
      run: async () => {
        built = await buildPlugin(await project())
        return {status: 'ok' as const, detail: `${built.version}, sha256 ${built.sha256.slice(0, 12)}`}
      },
    },
    {
      title: 'plugin register',
      run: async () => {
        const p = await project()
        const registered = await registerPlugin(client!, {
          type: p.pluginType,
          name: p.name,
          version: built!.version,
          binary: built!.path,
          sha256: built!.sha256,
          path: defaultPath(p.pluginType, p.name),
          database: options.database,
        })
        return {status: 'ok' as const, detail: `${registered.path}: ${registered.mount}`}
      },
    },
    {
      title: 'smoke',
      run: async () => {
        const p = await project()
        const smoke = await smokeTest(client!, p.pluginType, defaultPath(p.pluginType, p.name), p.name)
        return {status: 'ok' as const, detail: `${smoke.request} -> ${smoke.answer}`}
      },
    },
  ]
  const stop = async () => {
    if (started) await stopDevServer(projectDir)
  }
  return {steps, stop}
}

