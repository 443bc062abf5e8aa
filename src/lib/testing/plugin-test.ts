import {rm} from 'node:fs/promises'

import {UserError, interruptedError} from '../errors.js'
import {loadExeca} from '../exec.js'
import {readProject, type PluginProject} from '../project/project.js'
import {deploy, projectDeployTarget, targetClient} from '../registration/deploy.js'
import type {DatabaseConnection} from '../registration/register-database.js'
import {readClusterState} from '../vault/cluster-state.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import {projectServerStatus, startProjectServer, stopProjectServer} from '../vault/project-server.js'
import {lastLogLine, withoutVaultVariables} from '../vault/server.js'
import {secondsSince} from '../timing.js'
import {type CoverageRun, type CoverageSummary, coverageReport, prepareCoverage, unitCoverFlags} from './coverage.js'
import {shownPath} from '../paths.js'

/** One event of `go test -json` (test2json). */
export interface GoTestEvent {
  Time?: string
  Action: string
  Package?: string
  Test?: string
  Elapsed?: number
  Output?: string
}

export interface TierResult {
  tier: 'unit' | 'acceptance'
  passed: number
  failed: number
  skipped: number
  seconds: number
  /** Top-level tests that failed, as Package.Test, and packages that did not build. */
  failures: string[]
  events: GoTestEvent[]
}

export interface PluginTestOptions {
  projectDir: string
  /** A raft cluster of this many nodes; default whatever the project runs, else its dev server. */
  nodes?: number
  vaultBin?: string
  path?: string
  database?: DatabaseConnection
  /** go test -run for the unit tier; the acceptance tier runs what it skipped. */
  run?: string
  /** Passed to go test in both tiers (`-- -race -v`). */
  goTestArgs: string[]
  log: (line: string) => void
  /** Resolves when the user asks to stop (Ctrl-C). */
  stop: Promise<void>
  /** Measure coverage of both tiers and write the merged profile here (relative to the project). */
  coverProfile?: string
}

export interface PluginTestResult {
  ok: boolean
  tiers: TierResult[]
  /** Where the acceptance tier ran: the mount path, the Vault address and the build's version. */
  vault?: {addr: string; path: string; version?: string; started: boolean}
  /** With --cover: each tier's statements covered, both merged, and the profile written. */
  coverage?: CoverageSummary
}

/**
 * `plugin test`: the unit tier (`go test ./...`), then the plugin built and deployed into the project's
 * dev server or cluster as `plugin dev` does, then the acceptance tier against it. The acceptance tests
 * are the ones the unit tier skipped: HashiCorp's convention is a test that skips without VAULT_ACC, so
 * a plugin's own acceptance tests run unchanged. A server this started is stopped at the end.
 */
export async function runPluginTest(options: PluginTestOptions): Promise<PluginTestResult> {
  const project = await readProject(options.projectDir)
  const cancelled = () => interruptedError('SIGINT', 'the tests were stopped, and a dev server this started was stopped too')
  let stopped = false
  const interrupted = options.stop.then(() => {
    stopped = true
    throw cancelled()
  })
  interrupted.catch(() => undefined)
  // A tier is awaited to its end, not raced: go test, signalled, ends before the server it talks to does.
  const tierOrStop = async (tier: Promise<TierResult>) => {
    const result = await tier
    if (stopped) throw cancelled()
    return result
  }
  const coverage = options.coverProfile === undefined ? undefined : await prepareCoverage(project, options.coverProfile)
  try {
    return await runTiers(project, options, coverage, tierOrStop, interrupted)
  } finally {
    // Scratch only: the profile itself is written whole or not at all.
    if (coverage) await rm(coverage.dir, {recursive: true, force: true})
  }
}

async function runTiers(
  project: PluginProject,
  options: PluginTestOptions,
  coverage: CoverageRun | undefined,
  tierOrStop: (tier: Promise<TierResult>) => Promise<TierResult>,
  interrupted: Promise<never>,
): Promise<PluginTestResult> {
  const {log} = options
  const tiers: TierResult[] = []
  const goTest = {extra: options.goTestArgs, stop: options.stop, log}
  log(`unit tier: go test${coverage ? ' -cover' : ''} ./...`)
  const unit = await tierOrStop(goTestTier(project, 'unit', {...goTest, run: options.run, cover: coverage && unitCoverFlags(coverage)}))
  tiers.push(unit)
  log(describeTier(unit))

  const acceptance = acceptanceRun(unit)
  if (!acceptance) {
    log('acceptance tier: no test skipped without VAULT_ACC, so none to run against Vault')
    const covered = coverage && (await coverageReport(coverage, {acceptance: false}))
    if (covered) log(describeCoverage(covered))
    return {ok: unit.failed === 0, tiers, ...(covered ? {coverage: covered} : {})}
  }

  // A recorded cluster is the user's (its raft data with it): restarted if nodes are down, never removed.
  const recordedCluster = await readClusterState(project.dir)
  const vaultBin = recordedCluster ? undefined : (await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: log})).path
  const started = await startProjectServer(project, vaultBin ?? '', options.nodes, log)
  const cleanUp = async () => {
    if (started.alreadyRunning) return
    if (started.kind === 'cluster' && recordedCluster) {
      log('The cluster keeps running (`vaultkit server stop` ends it).')
      return
    }
    await stopProjectServer(project.dir)
    log(`Stopped the ${started.kind === 'dev' ? 'dev server' : 'cluster'} this started.`)
  }
  // With --cover, the instrumented build runs until the plain one replaces it: only then has it exited and
  // written its counters. Whatever happens, the plain build is put back (on disk, in the catalog and in the
  // mount) before the server is stopped or left running: a later register or rollback never mounts -cover.
  let instrumented: Promise<unknown> | undefined
  let restore: (() => Promise<unknown>) | undefined
  try {
    const target = await projectDeployTarget(project.dir)
    log(`${started.alreadyRunning ? 'Using' : 'Started'} the project's ${started.kind === 'dev' ? 'dev server' : `${started.nodes.length}-node cluster`} ${started.addr}`)
    const database = project.pluginType === 'database' ? databaseFor(options.database, process.env.PG_URL) : options.database
    const placement = {path: options.path, database, onCompilerOutput: (text: string) => log(text)}
    const cover = coverage && {packages: coverage.packages, dir: coverage.acceptanceDir}
    // Instrumented, the plugin is restarted even when the mount runs this very build: a process started
    // before the scratch folder was emptied would write counters without their meta-data.
    const deploying = deploy(target, project.dir, {...placement, ...(cover ? {cover, restart: true} : {})})
    if (cover) {
      instrumented = deploying.catch(() => undefined)
      restore = () => deploy(target, project.dir, {...placement, restart: true})
    }
    const deployed = await Promise.race([deploying, interrupted])
    const path = deployed.registered.path
    const addr = (await targetClient(target)).addr
    log(`${path}/ runs ${project.binaryName} ${deployed.built.version ?? '(unversioned)'}${cover ? ' built with -cover' : ''}, sha256 ${deployed.built.sha256.slice(0, 12)}`)

    const env = acceptanceEnv(project, {addr, token: started.token, path, version: deployed.built.version})
    log(`acceptance tier: VAULT_ACC=1 go test -run '${acceptance}' ./...`)
    const result = await tierOrStop(goTestTier(project, 'acceptance', {...goTest, run: acceptance, env}))
    tiers.push(result)
    log(describeTier(result))
    // Tests that failed because Vault went away say so in their own words, many times over: one line instead.
    if (result.failed > 0) await stillRunning(project.dir, started.kind === 'dev' ? 'dev server' : 'cluster')
    let covered: CoverageSummary | undefined
    if (coverage && restore) {
      // Not raced with Ctrl-C: cut short, the instrumented plugin would stay mounted.
      await restore()
      restore = undefined
      log('Registered the plain build again: the instrumented plugin exited and wrote its counters.')
      covered = await coverageReport(coverage, {acceptance: true})
      log(describeCoverage(covered))
    }
    return {
      ok: tiers.every((t) => t.failed === 0),
      tiers,
      vault: {addr, path, version: deployed.built.version, started: !started.alreadyRunning},
      ...(covered ? {coverage: covered} : {}),
    }
  } finally {
    if (restore) {
      // Stopped or failed with the instrumented build deployed (or on its way): let that finish, then put the plain one back.
      await instrumented
      await restore().catch(() => log('The plugin directory may still hold the instrumented build: `vaultkit plugin build` replaces it.'))
    }
    await cleanUp()
  }
}

export function describeCoverage(coverage: CoverageSummary): string {
  const tier = (name: string, t: {percent: number} | undefined) => (t ? `${name} ${t.percent}%` : `${name} not run`)
  return `coverage: ${coverage.percent}% of statements (${tier('unit', coverage.unit)}, ${tier('acceptance', coverage.acceptance)}); go tool cover -html=${shownPath(coverage.profile)}`
}

/** The server the acceptance tier ran against is still up; else why it stopped, from its log. */
async function stillRunning(projectDir: string, what: string): Promise<void> {
  const status = await projectServerStatus(projectDir)
  if (status.running) return
  const logFile = status.nodes.find((node) => node.logFile)?.logFile
  const why = logFile ? `: ${await lastLogLine(logFile)}` : ''
  throw new UserError(`the ${what} stopped during the acceptance tier${why}`, 'see `vaultkit server logs`, then run `vaultkit plugin test` again')
}

/**
 * The database kind's connection: the flags, else the PostgreSQL in PG_URL that its integration and
 * acceptance tests use (the URL's user as the connection's root, its credentials templated out).
 */
export function databaseFor(flags: DatabaseConnection | undefined, pgUrl: string | undefined): DatabaseConnection | undefined {
  if (flags?.connectionUrl || !pgUrl) return flags
  let url: URL
  try {
    url = new URL(pgUrl)
  } catch {
    throw new UserError('PG_URL is not a URL', 'set it to a superuser\'s URL, e.g. postgres://postgres:secret@127.0.0.1:5432/postgres?sslmode=disable')
  }
  const username = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  url.username = ''
  url.password = ''
  return {connectionUrl: url.toString().replace('://', '://{{username}}:{{password}}@'), username, password}
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The -run of the acceptance tier: the top-level tests the unit tier skipped, the ones that need Vault;
 * undefined when there are none.
 */
export function acceptanceRun(unit: TierResult): string | undefined {
  const names = new Set<string>()
  for (const event of unit.events) if (event.Action === 'skip' && event.Test && !event.Test.includes('/')) names.add(event.Test)
  return names.size ? `^(${[...names].sort().map(escapeRegExp).join('|')})$` : undefined
}

/** What the acceptance tests are told: HashiCorp's VAULT_ACC convention, and where the plugin is mounted. */
export function acceptanceEnv(project: PluginProject, vault: {addr: string; token: string; path: string; version?: string}): Record<string, string> {
  return {
    VAULT_ACC: '1',
    VAULT_ADDR: vault.addr,
    VAULT_TOKEN: vault.token,
    VAULT_PLUGIN_MOUNT: vault.path,
    VAULT_PLUGIN_NAME: project.name,
    VAULT_PLUGIN_TYPE: project.pluginType,
    // As registered (with the v), for tests that configure a mount of their own (database/config/...).
    VAULT_PLUGIN_VERSION: vault.version ?? '',
  }
}

export function describeTier(tier: TierResult): string {
  const failures = tier.failures.length ? `: ${tier.failures.join(', ')}` : ''
  return `${tier.tier} tier: ${tier.passed} passed, ${tier.failed} failed, ${tier.skipped} skipped in ${tier.seconds} s${failures}`
}

/**
 * One `go test -json` run over the module, with the project's build tags and cgo setting. Each package's
 * result is logged as it ends (a line every package: progress), and a failed test's own output after it.
 */
export interface GoTestOptions {
  /** go test -run. */
  run?: string
  /** The user's go test flags (after --). */
  extra?: string[]
  env?: Record<string, string>
  /** Coverage flags: before the packages, and the -args after them (unitCoverFlags). */
  cover?: {flags: string[]; args: string[]}
  stop?: Promise<void>
  log?: (line: string) => void
}

export async function goTestTier(project: PluginProject, tier: TierResult['tier'], options: GoTestOptions = {}): Promise<TierResult> {
  const started = performance.now()
  const {run, extra = [], env = {}, cover, stop, log = () => {}} = options
  const {tags, cgo} = project.description.build
  const args = [
    'test',
    '-json',
    ...(tier === 'acceptance' ? ['-count=1'] : []),
    ...(tags.length ? ['-tags', tags.join(',')] : []),
    ...(run ? ['-run', run] : []),
    ...(cover?.flags ?? []),
    ...extra,
    './...',
    ...(cover?.args ?? []),
  ]
  const execa = await loadExeca()
  // Neither tier sees the Vault of the caller's shell (VAULT_AGENT_ADDR would even outrank VAULT_ADDR):
  // the unit tier must reach none, the acceptance tier only the one given in `env`.
  const baseEnv = withoutVaultVariables(process.env)
  const child = execa('go', args, {cwd: project.dir, env: {...baseEnv, CGO_ENABLED: cgo ? '1' : '0', ...env}, extendEnv: false, reject: false, lines: true, buffer: {stdout: false, stderr: true}, stdin: 'ignore'})
  void stop?.then(() => {
    child.kill('SIGINT')
    // go test ends its test binaries on an interrupt; one that hangs is not waited for long.
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
  })
  const result: TierResult = {tier, passed: 0, failed: 0, skipped: 0, seconds: 0, failures: [], events: []}
  const output = new Map<string, string[]>()
  const buildOutput: string[] = []
  for await (const line of child.iterable({from: 'stdout'})) {
    const event = parseEvent(String(line))
    if (!event) continue
    result.events.push(event)
    const key = `${event.Package ?? ''}.${event.Test ?? ''}`
    if (event.Action === 'output' && event.Output) output.set(key, output.get(key) ?? []).get(key)!.push(event.Output)
    if (event.Action === 'build-output' && event.Output) buildOutput.push(event.Output)
    if (!['pass', 'fail', 'skip'].includes(event.Action)) continue
    if (event.Test && !event.Test.includes('/')) {
      if (event.Action === 'pass') result.passed++
      else if (event.Action === 'skip') result.skipped++
      else {
        result.failed++
        result.failures.push(event.Test)
        for (const text of output.get(key) ?? []) log(`  ${text.trimEnd()}`)
      }
    } else if (!event.Test) {
      // A package "skip" has no test files: nothing to say.
      if (event.Action !== 'skip') log(`  ${event.Action === 'pass' ? 'ok  ' : 'FAIL'} ${event.Package}${event.Elapsed === undefined ? '' : ` ${event.Elapsed} s`}`)
      if (event.Action === 'fail' && !result.events.some((e) => e.Package === event.Package && e.Test && e.Action === 'fail')) {
        // A package that failed without a failing test did not build (or its TestMain failed).
        result.failed++
        result.failures.push(`${event.Package} (did not build)`)
        for (const text of [...buildOutput.splice(0), ...(output.get(key) ?? [])]) log(`  ${text.trimEnd()}`)
      }
    }
  }
  const done = await child
  if (done.exitCode !== 0 && result.failed === 0 && !done.isTerminated) {
    // go test stopped before any test ran: a build failure outside the JSON stream, or no go.
    result.failed++
    result.failures.push(`go test (exit ${done.exitCode ?? 'signal'}): ${String(done.stderr ?? '').trim().split('\n')[0] ?? ''}`)
  }
  result.seconds = secondsSince(started)
  return result
}

function parseEvent(line: string): GoTestEvent | undefined {
  try {
    const event = JSON.parse(line) as GoTestEvent
    return typeof event.Action === 'string' ? event : undefined
  } catch {
    return undefined
  }
}
