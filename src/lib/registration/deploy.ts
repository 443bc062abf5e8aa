import {type BuildResult, buildPlugin} from '../project/build.js'
import {type PluginProject, readProject} from '../project/project.js'
import {type RegisterResult, registerPlugin} from './register.js'
import type {DatabaseConnection} from './register-database.js'
import {describeSmoke, type SmokeResult, smokeTest} from './smoke.js'
import type {VaultClient} from '../vault/client.js'

export interface DeployOptions {
  /** Mount path; default the plugin type's. */
  path?: string
  database?: DatabaseConnection
  /** Compiler output of a failed build, as the compiler wrote it. */
  onCompilerOutput?: (text: string) => void
  /** Build for a debugger (see buildPlugin). */
  debug?: boolean
  /** Reload the plugin even when the server runs this very build (see Registration). */
  restart?: boolean
}

export const DEPLOY_STAGES = ['plugin build', 'plugin register', 'smoke'] as const
export type DeployStage = (typeof DEPLOY_STAGES)[number]

/** Wraps each stage, so a caller can time it, report it, or stop after a failed one. */
export type StageRunner = <T>(stage: DeployStage, run: () => Promise<T>, describe: (value: T) => string) => Promise<T>

export interface Deployed {
  project: PluginProject
  built: BuildResult
  registered: RegisterResult
  smoke: SmokeResult
}

const justRun: StageRunner = (_stage, run) => run()

/**
 * build -> register -> smoke of a project in a Vault: what `plugin dev` does on every change and
 * `template test --e2e` once. The project is read afresh: an edit to version.go is a new version.
 */
export async function deploy(client: VaultClient, projectDir: string, options: DeployOptions, stage: StageRunner = justRun): Promise<Deployed> {
  const project = await readProject(projectDir)
  const built = await stage('plugin build', () => buildPlugin(project, options.onCompilerOutput, {debug: options.debug}), (b) => `${b.version}, sha256 ${b.sha256.slice(0, 12)}`)
  const registered = await stage(
    'plugin register',
    () => registerPlugin(client, {from: 'project', project, sha256: built.sha256, path: options.path, database: options.database, restart: options.restart}),
    (r) => `${r.path}: ${r.mount}`,
  )
  const smoke = await stage('smoke', () => smokeTest(client, project, registered.path), describeSmoke)
  return {project, built, registered, smoke}
}
