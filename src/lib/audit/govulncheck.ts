import {createHash} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {type Progress, formatSeconds} from '../cli/progress.js'
import {UserError, errnoCode, interruptedError, isInterruption} from '../errors.js'
import {loadExeca, run} from '../exec.js'
import {goPlatform, localGoVersion} from '../go.js'
import {buildInputs} from '../project/build-inputs.js'
import type {PluginProject} from '../project/project.js'
import {errorLine} from '../steps.js'
import {secondsSince} from '../timing.js'
import {cacheDir} from '../vault/install/install.js'
import {compareVersions, goVersions} from '../versions.js'
import {REACH_RANK, type VulnFinding, parseGovulncheck} from './govulncheck-report.js'
import {DEFAULT_VULN_DB, warmDatabase} from './vulndb.js'

/** The govulncheck vaultkit installs on first use; HashiCorp's plugin CI runs the same tool. */
export const GOVULNCHECK = {module: 'golang.org/x/vuln', version: goVersions.govulncheck}

export interface AuditOptions {
  /** govulncheck's -db: a URL or a file:// folder. Default: VAULTKIT_VULN_DB, else govulncheck's own (vuln.go.dev). */
  db?: string
  /** GOOS/GOARCH pairs to scan the build of; default this machine's (or GOOS/GOARCH's). */
  platforms?: string[]
  /**
   * The built binary of some platforms (GOOS/GOARCH to its path), scanned first in govulncheck's binary mode.
   * A function the plugin can call is always linked, so a binary that links no vulnerable function outside
   * `allow` settles its platform in a tenth of a second; one that does is scanned from source.
   */
  binaries?: Record<string, string>
  /** Advisories let through: a binary that links only these is settled by its binary. */
  allow?: readonly string[]
  progress?: Progress
  /** Ends the download of a warm copy of the database (a Ctrl-C the caller handles). */
  signal?: AbortSignal
}

export interface AuditResult {
  /** The package scanned: the plugin's main package. */
  package: string
  /** The GOOS/GOARCH builds scanned: what the plugin calls differs by platform (Windows-only advisories, say). */
  platforms: string[]
  goVersion: string
  /** The database, or undefined for govulncheck's default. */
  db?: string
  /** In code the plugin calls: these stop a release. */
  called: VulnFinding[]
  /** In packages it imports or modules it requires, but never calls: listed only. */
  uncalled: VulnFinding[]
  /** The project's .go-version, which a release should be built with. */
  projectGo?: string
  /** Whether the result came from the cache for every platform (the same sources, Go, tool and database were scanned before). */
  cached: boolean
  /**
   * The platforms whose built binary settled them (see AuditOptions.binaries): their findings are what the
   * binary links, "called" meaning linked.
   */
  fromBinaries: string[]
  seconds: number
}

/**
 * A Go tool's binary, installed once per Go version into vaultkit's cache folder (never into a project):
 * a tool built by another Go release may refuse newer sources (govulncheck built with go1.26 cannot load
 * go1.27's standard library). `goVersion` (a release the toolchain can fetch, e.g. go1.27.3) builds it with
 * that Go; default the local one.
 */
export async function installedGoTool(name: string, pkg: string, version: string, progress?: Progress, goVersion?: string): Promise<string> {
  const {dir, binary} = await goToolPath(name, version, goVersion)
  if (existsSync(binary)) return binary
  const tools = join(cacheDir(), 'tools')

  await mkdir(tools, {recursive: true})
  const staging = await mkdtemp(join(tools, `.${name}-`))
  const install = await withTicker(progress, `installing ${name} ${version} (first use, once per Go release)`, () =>
    // cgo off and -trimpath, as plugins build: the standard library compiled for one serves the other.
    run('go', ['install', '-trimpath', `${pkg}@${version}`], {env: {GOBIN: staging, GOFLAGS: '', CGO_ENABLED: '0', ...(goVersion && /^go\d+\.\d+(\.\d+|rc\d+|beta\d+)?$/.test(goVersion) ? {GOTOOLCHAIN: goVersion} : {})}}),
  )
  if (install.exitCode !== 0) {
    await rm(staging, {recursive: true, force: true})
    throw new UserError(`go install ${pkg}@${version} failed: ${errorLine(install.all) || `exit ${install.exitCode}`}`, 'check the Go module proxy (GOPROXY), then run this again')
  }
  // Staged, then renamed: a concurrent install finds either nothing or a whole binary.
  await rename(staging, dir).catch(() => rm(staging, {recursive: true, force: true}))
  return binary
}

/** Where a Go tool of a Go release (default the local one) lives in vaultkit's cache (installed or not). */
async function goToolPath(name: string, version: string, goVersion?: string): Promise<{dir: string; binary: string}> {
  const {version: builtWith, problem} = goVersion ? {version: goVersion} : await localGoVersion()
  if (!builtWith) throw new UserError(`${problem}, and ${name} is built with it`, 'install Go (https://go.dev/dl), then run this again')
  const dir = join(cacheDir(), 'tools', `${name}-${version}-${builtWith}`)
  return {dir, binary: join(dir, name)}
}

/**
 * The Go release that builds a project: GOTOOLCHAIN, or go.mod's toolchain line, may name another than the
 * local one, and the scan must load that release's standard library.
 */
export function projectGoVersion(dir: string): Promise<string> {
  const key = `${dir}\0${process.env.GOTOOLCHAIN ?? ''}`
  let asked = askedGoVersions.get(key)
  if (!asked) {
    asked = askGoVersion(dir)
    askedGoVersions.set(key, asked)
    // A failure is not kept: the next call asks again.
    asked.catch(() => askedGoVersions.delete(key))
  }
  return asked
}

/** Once a run per folder: a release asks before its kept scans and again before it scans. */
const askedGoVersions = new Map<string, Promise<string>>()

async function askGoVersion(dir: string): Promise<string> {
  const result = await run('go', ['env', 'GOVERSION'], {cwd: dir})
  if (errnoCode(result) === 'ENOENT') throw new UserError('go was not found on PATH, and govulncheck runs it', 'install Go (https://go.dev/dl), then run this again')
  if (result.signal) throw interruptedError(result.signal)
  if (result.exitCode !== 0) throw new UserError(`go env GOVERSION failed in ${dir}: ${errorLine(result.all) || `exit ${result.exitCode}`}`, 'fix what it names, then run this again')
  // "go1.26.8 X:boringcrypto" names an experiment after the release: the release is what GOTOOLCHAIN takes.
  return result.stdout.trim().split(/\s+/)[0]!
}

/** Whether govulncheck is installed for the Go that builds the project: doctor scans only then, since installing takes a minute. */
export const govulncheckInstalled = async (dir: string) => existsSync((await goToolPath('govulncheck', GOVULNCHECK.version, await projectGoVersion(dir))).binary)

/** govulncheck, built with `goVersion` (default the local Go). */
export const govulncheckBinary = (progress?: Progress, goVersion?: string) => installedGoTool('govulncheck', `${GOVULNCHECK.module}/cmd/govulncheck`, GOVULNCHECK.version, progress, goVersion)

/** --vuln-db, else VAULTKIT_VULN_DB, else undefined (govulncheck's default database). */
export const vulnDatabase = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env) => flag || env.VAULTKIT_VULN_DB || undefined

/** This machine's GOOS/GOARCH, as the environment may set them for go. */
export function hostPlatform(env: NodeJS.ProcessEnv = process.env): string {
  const {goos, goarch} = goPlatform()
  return `${env.GOOS || goos}/${env.GOARCH || goarch}`
}

/** Binary scans at once: each is short and mostly reading; the release builds at most six platforms. */
const BINARY_SCANS = 6

/** Raised when what a kept result holds changes (2: findings of other systems' advisories dropped). */
const CACHE_FORMAT = 'audit-2'

type PlatformScan = Pick<AuditResult, 'goVersion' | 'called' | 'uncalled'> & {cached: boolean; fromBinary?: boolean}

/**
 * Scans the plugin with govulncheck once per platform: each GOOS/GOARCH compiles other files, and some
 * advisories hold on one system only. The built binaries given in `binaries` first, in binary mode (what
 * they link); then the main package from source (symbol level: which vulnerable functions it calls) for each
 * platform its binary did not settle, two at a time (a scan uses about a core and a half). A source scan
 * takes seconds (it builds the program's call graph), so its result is kept in vaultkit's cache under
 * everything it depends on: what a build reads (sources, go.mod and go.sum, the environment, the Go
 * toolchain), the platform, the tool, the build settings and the database's state. A release of a commit that
 * was audited before costs nothing more.
 */
export async function auditProject(project: PluginProject, options: AuditOptions = {}): Promise<AuditResult> {
  const started = performance.now()
  const {main} = project.description
  const platforms = platformsOf(options)
  // The database's state once for all platforms: a served index is fetched, with a timeout.
  const {stamp, unreachable} = await databaseState(options.db)
  // Offline: say so now, rather than after govulncheck has loaded every package to find out.
  if (unreachable) throw new UserError(`cannot read the vulnerability database ${options.db ?? DEFAULT_VULN_DB}: ${unreachable}`, DATABASE_HINT)
  const goVersion = await projectGoVersion(project.dir)
  const tool = await govulncheckBinary(options.progress, goVersion)
  const projectGo = await readProjectGo(project.dir)
  const scans = new Map<string, PlatformScan>()
  const scanned = options.binaries ? 'the binaries' : main
  const what = `scanning ${scanned} for known vulnerabilities${platforms.length > 1 ? ` on ${platforms.length} platforms` : ''}`
  // The warm copy of the database, made when a scan first needs it (never when every result is kept).
  let warm: Promise<string | undefined> | undefined
  const db = {
    named: options.db,
    use: async () => {
      warm ??= warmDatabase(options.db, stamp, options.signal)
      const use = await warm
      // Stopped during the download: no scan starts (the caller says why).
      options.signal?.throwIfAborted()
      return use
    },
  }
  // The binaries first, all at once (a twentieth of a core-second each); then the sources of the platforms
  // they leave open, two at a time (a scan uses about a core and a half).
  const scanBinaries = () =>
    eachAtMost(BINARY_SCANS, platforms, async (platform) => {
      const binary = options.binaries?.[platform]
      // A binary govulncheck cannot read leaves its platform to the source scan, which says what is wrong.
      const linked = binary ? await scanBinary(tool, binary, platform, db).catch(unlessInterrupted) : undefined
      if (linked?.called.every((f) => options.allow?.includes(f.id))) scans.set(platform, linked)
    })
  const scanSources = () => eachAtMost(2, platforms.filter((platform) => !scans.has(platform)), async (platform) => scans.set(platform, await scanPlatform(project, tool, goVersion, platform, db, stamp)))
  await withTicker(options.progress, what, async () => {
    if (options.binaries) await scanBinaries()
    await scanSources()
  }, () => (platforms.length > 1 ? `${scans.size} of ${platforms.length} done` : ''))
  const merged = mergeScans(platforms.map((platform) => [platform, scans.get(platform)!]))
  const fromBinaries = platforms.filter((platform) => scans.get(platform)!.fromBinary)
  return {...merged, package: main, platforms, db: options.db, projectGo, cached: [...scans.values()].every((scan) => scan.cached), fromBinaries, seconds: secondsSince(started)}
}

/**
 * The audit of sources scanned before, from kept results alone: no tool runs and nothing is built.
 * Undefined when a platform's scan was not kept.
 */
export async function keptAudit(project: PluginProject, options: Pick<AuditOptions, 'db' | 'platforms'>): Promise<AuditResult | undefined> {
  const started = performance.now()
  const platforms = platformsOf(options)
  const goVersion = await projectGoVersion(project.dir)
  const {stamp} = await databaseState(options.db)
  const db = {named: options.db, use: async () => options.db}
  const scans: [string, PlatformScan][] = []
  for (const platform of platforms) {
    const scan = await scanPlatform(project, undefined, goVersion, platform, db, stamp)
    if (!scan) return undefined
    scans.push([platform, scan])
  }
  const projectGo = await readProjectGo(project.dir)
  return {...mergeScans(scans), package: project.description.main, platforms, db: options.db, projectGo, cached: true, fromBinaries: [], seconds: secondsSince(started)}
}

const platformsOf = (options: Pick<AuditOptions, 'platforms'>) => [...new Set(options.platforms?.length ? options.platforms : [hostPlatform()])]

/** The project's .go-version, which its CI builds with. */
const readProjectGo = (dir: string) => readFile(join(dir, '.go-version'), 'utf8').then((t) => t.trim() || undefined, () => undefined)

/**
 * One platform's built binary, scanned in binary mode: which vulnerable functions it links (reported as
 * called), from the symbol table Go keeps even in a stripped binary. A tenth of a second with the warm
 * database, so not cached.
 */
async function scanBinary(tool: string, binary: string, platform: string, db: Database): Promise<PlatformScan> {
  const use = await db.use()
  // Megabytes of findings on stdout (one per linked symbol): not interleaved with stderr, which costs a
  // tenth of a second over five binaries.
  const execa = await loadExeca()
  const scan = await execa(tool, ['-mode', 'binary', '-format', 'json', ...(use ? ['-db', use] : []), binary], {env: {GOFLAGS: ''}, reject: false})
  if (scan.signal) throw interruptedError(scan.signal)
  if (scan.exitCode !== 0) throw scanFailure(`${scan.stderr}\n${scan.stdout}`, db.named, platform)
  const report = parseGovulncheck(scan.stdout, platform)
  return {goVersion: report.goVersion, ...byReach(report.findings), cached: false, fromBinary: true}
}

/** Nothing, for a failure that is not an interruption (which goes on up). */
function unlessInterrupted(error: unknown): undefined {
  if (isInterruption(error)) throw error
  return undefined
}

const byReach = (findings: VulnFinding[]) => ({called: findings.filter((f) => f.reach === 'called'), uncalled: findings.filter((f) => f.reach !== 'called')})


/** The database as the user named it (for messages and keys), and the one govulncheck reads: its warm copy. */
interface Database {
  named: string | undefined
  use: () => Promise<string | undefined>
}

/** One platform's scan, from the cache when the same inputs were scanned before; without a tool, only from there. */
async function scanPlatform(project: PluginProject, tool: string, goVersion: string, platform: string, db: Database, stamp: string | undefined): Promise<PlatformScan>
async function scanPlatform(project: PluginProject, tool: undefined, goVersion: string, platform: string, db: Database, stamp: string | undefined): Promise<PlatformScan | undefined>
async function scanPlatform(project: PluginProject, tool: string | undefined, goVersion: string, platform: string, db: Database, stamp: string | undefined): Promise<PlatformScan | undefined> {
  const {main, build} = project.description
  const [goos, goarch] = platform.split('/') as [string, string]
  const argsWith = (database: string | undefined) => ['-format', 'json', ...(database ? ['-db', database] : []), ...(build.tags.length ? ['-tags', build.tags.join(',')] : []), main]
  const args = argsWith(db.named)
  // govulncheck analyses the build for GOOS/GOARCH as the environment sets them.
  const env = {CGO_ENABLED: build.cgo ? '1' : '0', GOFLAGS: '', GOOS: goos, GOARCH: goarch}
  const key = await cacheKey(project, [CACHE_FORMAT, GOVULNCHECK.version, goVersion, ...args, platform], env, stamp)
  const cacheFile = key ? join(cacheDir(), 'audit', `${key}.json`) : undefined
  const cached = cacheFile ? await readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as Omit<PlatformScan, 'cached'>, () => undefined) : undefined
  if (cached) return {...cached, cached: true}
  if (!tool) return undefined

  const scan = await run(tool, argsWith(await db.use()), {cwd: project.dir, env})
  // Ended by a signal (Ctrl-C reaches the scan too): said as an interruption, not as what govulncheck found.
  if (scan.signal) throw interruptedError(scan.signal)
  if (scan.exitCode !== 0) throw scanFailure(scan.all ?? '', db.named, platform)
  const report = parseGovulncheck(scan.stdout, platform)
  const found = {goVersion: report.goVersion || goVersion, ...byReach(report.findings)}
  if (cacheFile) {
    await mkdir(join(cacheDir(), 'audit'), {recursive: true})
    const partial = `${cacheFile}.${process.pid}`
    await writeFile(partial, JSON.stringify(found))
    await rename(partial, cacheFile).catch(() => rm(partial, {force: true}))
  }
  return {...found, cached: false}
}

/**
 * The platforms' findings as one list: each advisory once per module, at the closest reach any platform
 * has, with the platforms it is called on (or found on, when called on none).
 */
function mergeScans(scans: [string, PlatformScan][]): Pick<AuditResult, 'goVersion' | 'called' | 'uncalled'> {
  const byKey = new Map<string, VulnFinding>()
  for (const [platform, scan] of scans) {
    for (const finding of [...scan.called, ...scan.uncalled]) {
      const key = `${finding.id} ${finding.module}`
      const seen = byKey.get(key)
      if (!seen || REACH_RANK[finding.reach] > REACH_RANK[seen.reach]) byKey.set(key, {...finding, platforms: [platform]})
      else if (REACH_RANK[finding.reach] === REACH_RANK[seen.reach]) seen.platforms!.push(platform)
    }
  }
  const findings = [...byKey.values()].sort((a, b) => a.module.localeCompare(b.module) || a.id.localeCompare(b.id))
  return {goVersion: scans[0]?.[1].goVersion ?? '', called: findings.filter((f) => f.reach === 'called'), uncalled: findings.filter((f) => f.reach !== 'called')}
}

/**
 * Runs `work` on each item, at most `limit` at once. After a failure no more items start; the first failure
 * is thrown once those running have ended.
 */
async function eachAtMost<T>(limit: number, items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items]
  const results = await Promise.allSettled(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        await work(item).catch((error: unknown) => {
          queue.length = 0
          throw error
        })
      }
    }),
  )
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

const DATABASE_HINT = 'check the network, or name a mirror with --vuln-db or VAULTKIT_VULN_DB (a URL, or a file:// folder)'

function scanFailure(output: string, db: string | undefined, platform: string): UserError {
  const line = errorLine(output.replace(/^govulncheck: /gm, '')) || 'govulncheck failed'
  // "creating client" is govulncheck failing to open -db (a folder that is not there, a URL it cannot parse).
  if (/creating client|vulnerabilit(y|ies) database|fetching vulnerabilities|vuln\.go\.dev|no such host|dial tcp|db\.json/i.test(output)) {
    return new UserError(`cannot read the vulnerability database ${db ?? DEFAULT_VULN_DB}: ${line}`, DATABASE_HINT)
  }
  return new UserError(`govulncheck could not scan the plugin for ${platform}: ${line}`, `fix what it names (\`GOOS=${platform.split('/')[0]} GOARCH=${platform.split('/')[1]} go build\` shows the same), then run this again`)
}

/**
 * The cache key of a scan, or undefined when it cannot be told: a database whose state cannot be (a URL that
 * does not answer), or sources beyond the project (a go.work, a replace to a folder outside it; see
 * build-inputs.ts, whose fingerprint of what go reads is the rest of the key). Then it is scanned every time.
 */
async function cacheKey(project: PluginProject, settings: string[], env: Record<string, string>, stamp: string | undefined): Promise<string | undefined> {
  if (stamp === undefined) return undefined
  const inputs = await buildInputs(project.dir, project.pluginDir, settings, env)
  if (inputs === undefined) return undefined
  return createHash('sha256').update(JSON.stringify([inputs, stamp])).digest('hex')
}

/** Each database's state, asked once a run: a release checks its kept scans, then scans, seconds apart. */
const states = new Map<string | undefined, Promise<DatabaseState>>()
const databaseState = (db: string | undefined) => {
  if (!states.has(db)) states.set(db, readDatabaseState(db))
  return states.get(db)!
}

export interface DatabaseState {
  /** What changes when the database does; undefined when that cannot be told (then nothing is kept). */
  stamp?: string
  /** Why a served database cannot be reached at all: then no scan can read it either. */
  unreachable?: string
}

/** Errors that say no request to the host can succeed, as against a slow or refusing server. */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'cannot be resolved',
  ECONNREFUSED: 'is not reachable',
  EHOSTUNREACH: 'is not reachable',
  ENETUNREACH: 'is not reachable',
}

/**
 * What changes when the database does: an indexed folder's index, the name, size and time of each file of a
 * folder of OSV files (one edited in place changes nothing else), or a served index's modified time.
 */
export async function readDatabaseState(db: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseState> {
  const url = db ?? DEFAULT_VULN_DB
  if (url.startsWith('file://')) {
    const dir = fileURLToPath(url)
    const index = join(dir, 'index', 'db.json')
    const files = existsSync(index) ? [index, join(dir, 'index', 'modules.json')] : await readdir(dir).then((names) => names.map((n) => join(dir, n)), () => undefined)
    if (!files) return {}
    const hash = createHash('sha256').update(dir)
    for (const file of files.sort()) {
      const info = statSync(file, {throwIfNoEntry: false})
      hash.update(`\0${file} ${info?.size ?? ''} ${info?.mtimeMs ?? ''}`)
    }
    return {stamp: hash.digest('hex')}
  }
  try {
    const response = await fetch(`${url.replace(/\/+$/, '')}/index/db.json`, {signal: AbortSignal.timeout(5000)})
    if (!response.ok) return {}
    return {stamp: `${url} ${((await response.json()) as {modified?: string}).modified ?? ''}`}
  } catch (error) {
    // Go reaches the database through a proxy that Node's fetch does not use: with one set, leave it to the scan.
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name])
    const code = errnoCode((error as {cause?: unknown}).cause)
    if (proxied || !code || !UNREACHABLE[code]) return {}
    return {unreachable: `${new URL(url).host} ${UNREACHABLE[code]} (${code})`}
  }
}

/** A periodic "still working" line while `work` runs: govulncheck and go install print nothing until done. */
async function withTicker<T>(progress: Progress | undefined, what: string, work: () => Promise<T>, status: () => string = () => ''): Promise<T> {
  const started = performance.now()
  progress?.update(`${what}...`)
  const timer = setInterval(() => progress?.update(`${what}... ${[formatSeconds(secondsSince(started)), status()].filter(Boolean).join(', ')}`), 1000)
  try {
    return await work()
  } finally {
    clearInterval(timer)
    progress?.done()
  }
}


/** The findings a release may not carry: called, and not let through with --allow-vuln. */
export function blockingFindings(result: AuditResult, allowed: readonly string[]): VulnFinding[] {
  return result.called.filter((f) => !allowed.includes(f.id))
}

/** What to do about a finding, in a few words: the `go get` of the fixed version, or the Go release to build with. */
export function remedy(finding: VulnFinding, projectGo?: string): string {
  if (finding.module !== 'stdlib') return finding.fixed ? `go get ${finding.module}@${finding.fixed} && go mod tidy` : 'no fixed version yet'
  if (!finding.fixed) return 'no Go release fixes it yet'
  const fixedGo = goRelease(finding.fixed)
  // The project's .go-version is what its CI builds with: point at it when it has the fix. Fixes ship on
  // each supported line (1.25.9 and 1.26.2), so only a release of the fixed one's line counts.
  const sameLine = (a: string, b: string) => a.replace(/^v/, '').split('.').slice(0, 2).join('.') === b.replace(/^v/, '').split('.').slice(0, 2).join('.')
  if (projectGo && sameLine(projectGo, finding.fixed) && compareVersions(projectGo, finding.fixed) >= 0) return `build with the project's Go (.go-version), e.g. GOTOOLCHAIN=go${projectGo}: ${fixedGo} fixes it`
  return `build with ${fixedGo} or newer, e.g. GOTOOLCHAIN=${fixedGo}${projectGo ? `, and raise .go-version from ${projectGo}` : ''}`
}

/** govulncheck names Go releases as module versions (v1.26.8); people know them as go1.26.8. */
const goRelease = (version: string) => version.replace(/^v/, 'go')

/** The advisory, where, its fix, and the platforms it holds on when it does not hold on all `scanned`. */
export function describeFinding(f: VulnFinding, scanned: readonly string[] = []): string {
  const what =
    f.module === 'stdlib'
      ? `${f.id} in the standard library of ${goRelease(f.version)}${f.fixed ? ` (fixed in ${goRelease(f.fixed)})` : ''}`
      : `${f.id} in ${f.module}@${f.version}${f.fixed ? ` (fixed in ${f.fixed})` : ''}`
  return f.platforms && f.platforms.length < scanned.length ? `${what} on ${f.platforms.join(', ')}` : what
}

/**
 * What `plugin audit` prints of its findings, one line each: a module's advisory with the go get that fixes
 * it. The standard library's share one fix, the newest Go release among theirs, said once after them.
 */
export function findingLines(result: Pick<AuditResult, 'called' | 'uncalled' | 'platforms' | 'projectGo'>): string[] {
  const stdlib = result.called.filter((f) => f.module === 'stdlib' && f.fixed)
  const shared = stdlib.length > 1 ? stdlib : []
  const lines = result.called.map((f) => `  called   ${describeFinding(f, result.platforms)}${shared.includes(f) ? '' : `: ${remedy(f, result.projectGo)}`}`)
  if (shared.length) {
    const newest = shared.reduce((a, b) => (compareVersions(a.fixed!, b.fixed!) >= 0 ? a : b))
    lines.push(`  the ${shared.length} in the standard library: ${remedy(newest, result.projectGo)}`)
  }
  for (const f of result.uncalled) lines.push(`  ${f.reach.padEnd(8)} ${describeFinding(f, result.platforms)}`)
  return lines
}

/** The flags that let `findings` through a release, as they are typed. */
export const allowFlags = (findings: readonly VulnFinding[]) => [...new Set(findings.map((f) => f.id))].map((id) => `--allow-vuln ${id}`).join(' ')

/** A module's fix is the project's to make with go get: those first, then the standard library's. */
export const blockingOrder = (findings: readonly VulnFinding[]) =>
  [...findings].sort((a, b) => Number(a.module === 'stdlib') - Number(b.module === 'stdlib'))

/**
 * The one-line refusal of a release that calls vulnerable code: the first advisory and its fix. One module
 * at a time: `go get` of a fixed version is always an upgrade, while naming several at once fails when one
 * fix needs another module above that module's own fix (grpc's fix needing a newer x/text, say).
 */
export function blockedError(blocked: VulnFinding[], projectGo?: string, scanned: readonly string[] = []): UserError {
  const ordered = blockingOrder(blocked)
  const first = ordered[0]!
  const more = ordered.length > 1 ? ` and ${ordered.length - 1} more (\`vaultkit plugin audit\` lists them)` : ''
  const allow = ordered.length > 1 ? '--allow-vuln for each' : `--allow-vuln ${first.id}`
  return new UserError(
    `the plugin calls code with ${ordered.length > 1 ? 'known vulnerabilities' : 'a known vulnerability'}: ${describeFinding(first, scanned)}${more}`,
    `${remedy(first, projectGo)}, then release again; or release anyway with ${allow}; nothing was written`,
  )
}
