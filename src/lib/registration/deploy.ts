import {type BuildResult, buildPlugin} from '../project/build.js'
import {type PluginProject, readProject} from '../project/project.js'
import {type RegisterResult, type Registration, registerPlugin} from './register.js'
import type {DatabaseConnection} from './register-database.js'
import {describeSmoke, type SmokeResult, smokeTest} from './smoke.js'
import type {VaultClient} from '../vault/client.js'
import {type ClusterState, readClusterState} from '../vault/cluster-state.js'
import {UserError} from '../errors.js'
import {devServerClient} from '../vault/server.js'
import {readState} from '../vault/state.js'
import type {ClusterRegisterResult} from './register-cluster.js'

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
  /** Database plugins: register in the catalog only, with no connection to configure (plugin docs). */
  catalogOnly?: boolean
  /** An instrumented build of these packages, run with GOCOVERDIR=dir (plugin test --cover). */
  cover?: {packages: string[]; dir: string}
}

export const DEPLOY_STAGES = ['plugin build', 'plugin register', 'smoke'] as const
export type DeployStage = (typeof DEPLOY_STAGES)[number]

/** Wraps each stage, so a caller can time it, report it, or stop after a failed one. */
export type StageRunner = <T>(stage: DeployStage, run: () => Promise<T>, describe: (value: T) => string) => Promise<T>

export interface Deployed {
  project: PluginProject
  built: BuildResult
  /** On a cluster, with what each node got. */
  registered: RegisterResult | ClusterRegisterResult
  smoke: SmokeResult
}

const justRun: StageRunner = (_stage, run) => run()

/** Where a project is deployed: one Vault (a dev server), or the project's cluster (every node, catalog once). */
export type DeployTarget = {client: VaultClient} | {cluster: ClusterState}

/** What the project runs now, as recorded: its cluster, else its dev server. */
export async function projectDeployTarget(projectDir: string): Promise<DeployTarget> {
  const cluster = await readClusterState(projectDir)
  if (cluster) return {cluster}
  const state = await readState(projectDir)
  if (!state) throw new UserError('The dev server of this project is not recorded', 'run `vaultkit server start`, then this again')
  return {client: devServerClient(state)}
}

/** A client of the target: the dev server, or the node active now. */
export async function targetClient(target: DeployTarget): Promise<VaultClient> {
  if ('client' in target) return target.client
  const {activeClusterClient} = await import('../vault/cluster.js')
  return activeClusterClient(target.cluster)
}

/** Registers into the target; the client to smoke-test through: the dev server, or the node active now. */
async function registerInto(target: DeployTarget, registration: Registration): Promise<{registered: RegisterResult | ClusterRegisterResult; client: VaultClient}> {
  if ('client' in target) return {registered: await registerPlugin(target.client, registration), client: target.client}
  const [{registerOnCluster}, {activeClusterClient}] = await Promise.all([import('./register-cluster.js'), import('../vault/cluster.js')])
  const registered = await registerOnCluster(target.cluster, registration)
  const client = await activeClusterClient(target.cluster)
  // A new client for the node active now: the database password it may echo is hidden there too.
  client.hide(registration.database?.password)
  return {registered, client}
}

/**
 * build -> register -> smoke of a project in a Vault: what `plugin dev` does on every change and
 * `template test --e2e` once. The project is read afresh: an edit to version.go is a new version.
 */
export async function deploy(target: DeployTarget, projectDir: string, options: DeployOptions, stage: StageRunner = justRun): Promise<Deployed> {
  const {project, built, registered, client} = await buildAndRegister(target, projectDir, options, stage)
  const smoke = await stage('smoke', () => smokeTest(client, project, registered.path), describeSmoke)
  return {project, built, registered, smoke}
}

/** deploy without its smoke request: for reading the plugin's paths, whatever they answer (plugin docs). */
export async function buildAndRegister(target: DeployTarget, projectDir: string, options: DeployOptions, stage: StageRunner = justRun): Promise<Omit<Deployed, 'smoke'> & {client: VaultClient}> {
  const project = await readProject(projectDir)
  const built = await stage('plugin build', () => buildPlugin(project, options.onCompilerOutput, {debug: options.debug, cover: options.cover?.packages}), (b) => `${b.version ?? 'unversioned'}, sha256 ${b.sha256.slice(0, 12)}`)
  const {registered, client} = await stage(
    'plugin register',
    () =>
      registerInto(target, {
        from: 'project',
        project,
        sha256: built.sha256,
        path: options.path,
        database: options.database,
        restart: options.restart,
        catalogOnly: options.catalogOnly,
        ...(options.cover ? {env: [`GOCOVERDIR=${options.cover.dir}`]} : {}),
      }),
    ({registered: r}) => `${r.path}: ${r.mount}`,
  )
  return {project, built, registered, client}
}
