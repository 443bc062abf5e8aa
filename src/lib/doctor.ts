import {accessSync, constants, existsSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {UserError, errnoCode} from './errors.js'
import {run} from './exec.js'
import {checkLocalGo} from './go.js'
import {type PluginProject, readProject, vaultConfigPluginDirectory} from './project/project.js'
import {errorLine} from './steps.js'
import {VaultClient, type VaultConnection} from './vault/client.js'
import {NoVault, resolveConnection} from './vault/connection.js'
import {ensureVaultBinary, NoVaultBinary} from './vault/install/install.js'
import {HEALTH_EVEN_SEALED, isOurServer} from './vault/server.js'
import {readState} from './vault/state.js'
import {goVersions} from './versions.js'
import {type AuditResult, auditProject, blockingOrder, govulncheckInstalled, remedy, vulnDatabase} from './audit/govulncheck.js'
import type {Progress} from './cli/progress.js'

/** One finding of `vaultkit doctor`; `fix` says what to do when it is not ok. */
export interface DoctorCheck {
  check: string
  status: 'ok' | 'warning' | 'failed' | 'skipped'
  detail: string
  fix?: string
}

export interface DoctorOptions {
  projectDir: string
  /** --project was given: a folder that is not a project is then a failure, not a reason to skip. */
  projectGiven?: boolean
  vaultAddr?: string
  vaultBin?: string
  env?: NodeJS.ProcessEnv
  /** The vulnerability database (--vuln-db); default VAULTKIT_VULN_DB, else govulncheck's. */
  vulnDb?: string
  /** Where the vulnerability scan's "still working" line goes. */
  progress?: Progress
}

/** Vault registers plugins with a version, and runs multiplexed ones, from 1.12 on. */
export const MIN_VAULT = [1, 12] as const

/** Every check, in the order a person would fix them: tools, then the project, then the Vault it talks to. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env
  const {project, check: projectCheck} = await checkProject(options.projectDir, options.projectGiven ?? false)
  const checks: DoctorCheck[] = [checkNode(), await checkGo(project), await checkGit(), await checkVaultBinary(options.vaultBin, env), projectCheck]
  if (project) checks.push(checkPluginDir(project), await checkVulnerabilities(project, vulnDatabase(options.vulnDb, env), options.progress))
  checks.push(...(await checkServer(options, project, env)))
  return checks
}

function checkNode(): DoctorCheck {
  // bin/run.js refuses a Node older than 22 before anything runs, so a running doctor has a good one.
  return {check: 'node', status: 'ok', detail: process.version}
}

/** The project's go directive when there is a project, else what vaultkit's kinds write. */
async function checkGo(project: PluginProject | undefined): Promise<DoctorCheck> {
  const needed = project?.goDirective ?? goVersions.goDirective
  const needer = project ? 'this project' : 'generated projects'
  const {version, problem} = await checkLocalGo(needed, needer)
  if (problem) return {check: 'go', status: 'failed', detail: problem, fix: `install Go ${needed} or newer (https://go.dev/dl/)`}
  return {check: 'go', status: 'ok', detail: `${version} (${needer} need${project ? 's' : ''} ${needed} or newer)`}
}

async function checkGit(): Promise<DoctorCheck> {
  const result = await run('git', ['--version'])
  if (errnoCode(result) === 'ENOENT') {
    return {check: 'git', status: 'warning', detail: 'git was not found on PATH: plugin new makes no repository', fix: 'install git'}
  }
  if (result.exitCode !== 0) return {check: 'git', status: 'warning', detail: `git --version failed: ${errorLine(result.all)}`, fix: 'repair the git installation'}
  return {check: 'git', status: 'ok', detail: result.stdout.trim()}
}

/**
 * The scan `plugin release` gates on, as a warning: vulnerable code does not stop the dev loop. A database or
 * govulncheck that cannot be had is a warning too, since only releases need them.
 */
async function checkVulnerabilities(project: PluginProject, db: string | undefined, progress?: Progress): Promise<DoctorCheck> {
  const check = 'vulnerabilities'
  let result: AuditResult
  try {
    if (!(await govulncheckInstalled(project.dir))) {
      return {check, status: 'skipped', detail: 'not scanned: govulncheck is not installed yet (doctor does not install it)', fix: '`vaultkit plugin audit` installs it and scans'}
    }
    result = await auditProject(project, {db, progress})
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {check, status: 'warning', detail: `not scanned: ${error.message}`, fix: error.hint}
  }
  const {called, uncalled} = result
  const notCalled = uncalled.length ? `; ${uncalled.length} in code it does not call` : ''
  if (!called.length) return {check, status: 'ok', detail: `govulncheck finds none in code the plugin calls${notCalled}`}
  const modules = [...new Set(called.map((f) => (f.module === 'stdlib' ? `the standard library of ${result.goVersion}` : f.module)))]
  return {
    check,
    status: 'warning',
    detail: `the plugin calls code with ${called.length} known ${called.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${modules.join(', ')})${notCalled}: plugin release stops on them`,
    fix: `${remedy(blockingOrder(called)[0]!, result.projectGo)}; \`vaultkit plugin audit\` lists them all`,
  }
}

/** "Vault v1.21.4 ('...')" -> [1, 21]; OpenBao, a fork of Vault 1.14, counts as new enough. */
export function vaultIsRecentEnough(version: string): boolean {
  if (/^OpenBao v/.test(version)) return true
  const match = /^Vault v(\d+)\.(\d+)/.exec(version)
  if (!match) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return major > MIN_VAULT[0] || (major === MIN_VAULT[0] && minor >= MIN_VAULT[1])
}

async function checkVaultBinary(vaultBin: string | undefined, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  let binary
  try {
    binary = await ensureVaultBinary({vaultBin, env, build: false})
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    // Without a local binary vaultkit can still register with a Vault elsewhere (VAULT_ADDR).
    return {check: 'vault binary', status: error instanceof NoVaultBinary ? 'warning' : 'failed', detail: error.message, fix: error.hint}
  }
  const short = /^\S+ v[^\s,]+/.exec(binary.version)?.[0] ?? binary.version
  if (!vaultIsRecentEnough(binary.version)) {
    return {
      check: 'vault binary',
      status: 'failed',
      detail: `${binary.path} is ${short}; plugin versions need Vault ${MIN_VAULT.join('.')} or newer`,
      fix: 'run `vaultkit server install` for a current one, or pass --vault-bin',
    }
  }
  return {check: 'vault binary', status: 'ok', detail: `${short} at ${binary.path} (from ${binary.source})`}
}

async function checkProject(dir: string, given: boolean): Promise<{project?: PluginProject; check: DoctorCheck}> {
  if (!existsSync(join(dir, 'go.mod'))) {
    const detail = `${resolve(dir)} ${existsSync(dir) ? 'holds no go.mod' : 'does not exist'}`
    if (given) return {check: {check: 'project', status: 'failed', detail, fix: 'pass --project the folder of a plugin project'}}
    return {check: {check: 'project', status: 'skipped', detail: `${detail}: not a plugin project, so only the tools are checked`}}
  }
  try {
    const project = await readProject(dir)
    return {project, check: {check: 'project', status: 'ok', detail: `${project.binaryName} ${project.version ?? "(unversioned)"} (${project.module})`}}
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {check: {check: 'project', status: 'failed', detail: error.message, fix: error.hint ?? 'restore the file it names'}}
  }
}

function checkPluginDir(project: PluginProject): DoctorCheck {
  const dir = project.pluginDir
  const binary = join(dir, project.binaryName)
  // `make dev` starts Vault with vault-config.hcl: its plugin directory must be the one vaultkit builds into.
  const hcl = vaultConfigPluginDirectory(project.dir)
  const mismatch: DoctorCheck | undefined =
    hcl !== undefined && resolve(project.dir, hcl) !== resolve(dir)
      ? {check: 'plugin directory', status: 'warning', detail: `vault-config.hcl names ${hcl}, .vaultkit.json ${project.description.pluginDirectory}`, fix: 'make them the same: `make dev` reads the one, vaultkit the other'}
      : undefined
  let isDir: boolean
  try {
    isDir = statSync(dir).isDirectory()
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error
    return mismatch ?? {check: 'plugin directory', status: 'ok', detail: `${dir} (made by the first \`vaultkit plugin build\`)`}
  }
  if (!isDir) return {check: 'plugin directory', status: 'failed', detail: `${dir} is a file`, fix: 'move it away, or point plugin.pluginDirectory in .vaultkit.json elsewhere'}
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    return {check: 'plugin directory', status: 'failed', detail: `${dir} is not writable`, fix: 'make it writable, or point plugin.pluginDirectory in .vaultkit.json elsewhere'}
  }
  const built = existsSync(binary) ? `holds ${project.binaryName}` : `no ${project.binaryName} built yet (\`vaultkit plugin build\`)`
  return mismatch ?? {check: 'plugin directory', status: 'ok', detail: `${dir}: ${built}`}
}

async function checkServer(options: DoctorOptions, project: PluginProject | undefined, env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = []
  let connection: VaultConnection
  let client: VaultClient
  let ownDevServer = false
  try {
    const recorded = project && (await readState(project.dir))
    if (recorded && !isOurServer(recorded)) {
      checks.push({
        check: 'dev server',
        status: 'warning',
        detail: `the dev server recorded in .vaultkit (pid ${recorded.pid}, ${recorded.addr}) is not running`,
        fix: 'run `vaultkit server start`',
      })
    }
    connection = await resolveConnection({addr: options.vaultAddr, projectDir: project?.dir, env})
    ownDevServer = Boolean(recorded && isOurServer(recorded)) && connection.token === recorded!.token
    client = new VaultClient(connection)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    // No Vault at all only limits what works; a damaged state file or CA file must be fixed.
    checks.push({check: 'vault server', status: error instanceof NoVault ? 'warning' : 'failed', detail: error.message, fix: error.hint})
    return checks
  }
  const where = `${connection.addr} (${connection.source})`
  const restart = 'restart it: `vaultkit server stop`, then `vaultkit server start`'
  let health
  try {
    health = (await client.get(HEALTH_EVEN_SEALED)) ?? {}
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    if (ownDevServer) {
      checks.push({check: 'vault server', status: 'failed', detail: `the dev server of this project runs but does not answer at ${connection.addr}`, fix: restart})
    } else {
      checks.push({check: 'vault server', status: 'failed', detail: error.message, fix: error.hint})
    }
    return checks
  }
  if (health.sealed) {
    checks.push({check: 'vault server', status: 'failed', detail: `Vault at ${where} is sealed`, fix: ownDevServer ? restart : 'unseal it (`vault operator unseal`)'})
    return checks
  }
  checks.push({check: 'vault server', status: 'ok', detail: `Vault v${String(health.version)} at ${where}`})
  checks.push(await checkToken(client, project))
  return checks
}

/** The token must be valid, and allowed to write the plugin catalog (which needs sudo). */
async function checkToken(client: VaultClient, project: PluginProject | undefined): Promise<DoctorCheck> {
  try {
    await client.get('auth/token/lookup-self')
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {check: 'token', status: 'failed', detail: error.message, fix: error.hint}
  }
  // An entry of the catalog, as `plugin register` writes it (any name serves when there is no project).
  const path = `sys/plugins/catalog/${project ? `${project.pluginType}/${project.name}` : 'secret/example'}`
  let answer
  try {
    answer = (await client.post('sys/capabilities-self', {paths: [path]})) ?? {}
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {check: 'token', status: 'warning', detail: `valid, but its capabilities cannot be read: ${error.message}`, fix: 'ask for a token whose policy grants read, update and sudo on sys/plugins/catalog/*'}
  }
  const capabilities = (answer[path] ?? answer.capabilities ?? []) as string[]
  // Registering reads the entry first, then writes it, which Vault counts as an update needing sudo.
  const canRegister = capabilities.includes('root') || ['read', 'update', 'sudo'].every((c) => capabilities.includes(c))
  if (!canRegister) {
    return {
      check: 'token',
      status: 'warning',
      detail: `valid, but may not register plugins (capabilities on ${path}: ${capabilities.join(', ') || 'none'})`,
      fix: 'use a token whose policy grants read, update and sudo on sys/plugins/catalog/*',
    }
  }
  return {check: 'token', status: 'ok', detail: `valid, and may register plugins (${capabilities.join(', ')} on ${path})`}
}
