import {chmod, cp, mkdir, mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {sweepAbandoned} from '../../abandoned.js'
import {UserError, errnoCode} from '../../errors.js'
import {type ProgressStream, createProgress} from '../../cli/progress.js'
import {GoBuildProgress} from './build-progress.js'
import {vaultRelease} from '../../versions.js'
import {loadExeca} from '../../exec.js'
import {wholeSecondsSince} from '../../timing.js'
import {findOnPath, isExecutable} from '../../paths.js'

export interface VaultBinary {
  path: string
  /** What `vault version` printed, e.g. "Vault v1.20.4 (...)". */
  version: string
  source: '--vault-bin' | 'VAULTKIT_VAULT_BIN' | 'PATH' | 'cache' | 'downloaded' | 'built'
}

/** Nothing found where vaultkit looks, and no build asked for. */
export class NoVaultBinary extends UserError {
  constructor() {
    super('No vault binary was found', 'run `vaultkit server install` to get one, or pass --vault-bin')
  }
}

export interface EnsureOptions {
  vaultBin?: string
  version?: string
  /** Get one when nothing is found (server install): the official release, else a build from source; otherwise say how to get one. */
  build?: boolean
  /** Only the official release, or only a build from source (default: the release, and the source when the release site cannot be reached). */
  from?: 'release' | 'source'
  onProgress?: (line: string) => void
  /** Where progress bars are drawn (default: stderr). */
  stream?: ProgressStream
  env?: NodeJS.ProcessEnv
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vaultkit')
}

const cachedBinary = (version: string, env?: NodeJS.ProcessEnv) => join(cacheDir(env), 'vault', version, 'vault')

/** --vault-bin, VAULTKIT_VAULT_BIN, vault or bao on PATH, an earlier build in the cache; else build or explain. */
export async function ensureVaultBinary(options: EnsureOptions = {}): Promise<VaultBinary> {
  const env = options.env ?? process.env
  const version = options.version ?? vaultRelease.version
  if (options.vaultBin) return checkBinary(options.vaultBin, '--vault-bin')
  if (env.VAULTKIT_VAULT_BIN) return checkBinary(env.VAULTKIT_VAULT_BIN, 'VAULTKIT_VAULT_BIN')
  const onPath = await findOnPath(['vault', 'bao'], env)
  if (onPath) return checkBinary(onPath, 'PATH')
  const cached = cachedBinary(version, env)
  if (await isExecutable(cached)) return checkBinary(cached, 'cache')
  if (!options.build) {
    throw new NoVaultBinary()
  }
  const log = options.onProgress ?? (() => {})
  await sweepAbandoned(join(cacheDir(env), 'vault'), ['download', 'build'])
  return whileInterruptible(async (signal) => {
    if (options.from !== 'source') {
      const {ReleaseUnavailable, installRelease} = await import('./release.js')
      try {
        await installRelease({version, target: cached, workRoot: join(cacheDir(env), 'vault'), env, log, stream: options.stream, signal})
        return checkBinary(cached, 'downloaded')
      } catch (error) {
        if (!(error instanceof ReleaseUnavailable)) throw error
        if (options.from === 'release') throw new UserError(error.message, 'check the network, or VAULTKIT_RELEASES_URL and "releasesUrl" in ~/.config/vaultkit/config.json; or build from source with --from source')
        log(`${error.message}: building from source instead`)
      }
    }
    await buildVault(version, cached, log, env, options.stream, signal)
    return checkBinary(cached, 'built')
  })
}

/**
 * Runs a download or build with Ctrl-C turned into an abort, so that the staging folder is removed before
 * vaultkit exits (Node's own SIGINT handling would exit at once and leave it behind).
 */
async function whileInterruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  // `on`, not `once`: execa's signal-exit re-raises a signal nobody else listens to any more, which would
  // kill vaultkit before its cleanup. A second Ctrl-C leaves at once, as a shell user expects.
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', interrupt)
  process.on('SIGTERM', interrupt)
  try {
    return await run(controller.signal)
  } catch (error) {
    if (controller.signal.aborted) throw new UserError('Interrupted', 'nothing was left in the cache; run the command again to start over', 130)
    throw error
  } finally {
    process.removeListener('SIGINT', interrupt)
    process.removeListener('SIGTERM', interrupt)
  }
}

async function checkBinary(path: string, source: VaultBinary['source']): Promise<VaultBinary> {
  const execa = await loadExeca()
  const result = await execa(path, ['version'], {reject: false, timeout: 20_000})
  if (result.exitCode !== 0 || !/^(Vault|OpenBao) v\d/m.test(result.stdout)) {
    throw new UserError(`${path} (from ${source}) does not run as Vault: ${result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || `exit ${result.exitCode}`}`, 'point --vault-bin at a working vault or bao binary')
  }
  return {path, version: result.stdout.trim().split('\n')[0]!, source}
}

interface ModuleDownload {
  Dir?: string
  Info?: string
  Version?: string
  Error?: string
  Origin?: {Hash?: string}
}

/**
 * Builds a Vault release from the Go module proxy. `go install` refuses Vault's go.mod, whose replace
 * directives point at its own submodules (./sdk, ./api, ...) that the release zip does not hold; so the
 * release is laid out with each submodule where its replace points, and built as the main module.
 */
async function buildVault(version: string, target: string, progress: (line: string) => void, env: NodeJS.ProcessEnv, stream: ProgressStream | undefined, signal: AbortSignal) {
  const execa = await loadExeca()
  const goEnv = {GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0'}
  const go = async (args: string[], cwd?: string) => {
    try {
      return (await execa('go', args, {cwd, env: goEnv, cancelSignal: signal})).stdout
    } catch (error) {
      if (signal.aborted) throw error
      if (errnoCode(error) === 'ENOENT') {
        throw new UserError('No vault binary was found, and go is not on PATH to build one', 'install Vault (or OpenBao) and put it on PATH, or install Go')
      }
      throw new UserError(`Building Vault ${version} failed at \`go ${args.slice(0, 2).join(' ')}\`: ${lastLine(error)}`, 'check the Go module proxy is reachable, or install Vault and put it on PATH')
    }
  }
  const download = async (module: string): Promise<ModuleDownload> => JSON.parse(await go(['mod', 'download', '-json', module])) as ModuleDownload

  const started = performance.now()
  await go(['version'])
  progress(`Building Vault ${version} from the Go module proxy into ${target}`)
  progress('The first build downloads several hundred modules and compiles for several minutes; later runs are instant.')
  const release = await download(`github.com/hashicorp/vault@${version}`)
  const root = join(cacheDir(env), 'vault')
  await mkdir(root, {recursive: true})
  const work = await mkdtemp(join(root, `.build-${process.pid}-`))
  try {
    const src = join(work, 'src')
    await cp(release.Dir!, src, {recursive: true})
    await makeWritable(src)
    const modFile = JSON.parse(await go(['mod', 'edit', '-json'], src)) as {
      Require?: {Path: string; Version: string}[]
      Replace?: {Old: {Path: string}; New: {Path: string}}[]
    }
    const local = (modFile.Replace ?? []).filter((r) => /^\.\.?\//.test(r.New.Path)).sort((a, b) => a.New.Path.length - b.New.Path.length)
    for (const replace of local) {
      const rel = replace.New.Path.replace(/^\.\//, '')
      const pinned = version === vaultRelease.version ? vaultRelease.submodules[rel] : undefined
      const moduleVersion = pinned ?? modFile.Require?.find((r) => r.Path === replace.Old.Path)?.Version
      if (!moduleVersion) throw new UserError(`Vault ${version} needs ${replace.Old.Path}, and no version of it is known`, 'install Vault and put it on PATH')
      progress(`  ${replace.Old.Path}@${moduleVersion} -> ${replace.New.Path}`)
      const sub = await download(`${replace.Old.Path}@${moduleVersion}`)
      await cp(sub.Dir!, join(src, rel), {recursive: true})
      await makeWritable(join(src, rel))
    }
    if (version === vaultRelease.version) await applyShims(src, progress)
    progress('  compiling (CGO_ENABLED=0, -trimpath, no web UI)...')
    const partial = join(work, 'vault')
    // Vault hands BuildDate to plugins, which parse it as RFC 3339: use the release's own time.
    const info = JSON.parse(await readFile(release.Info!, 'utf8')) as {Time?: string; Origin?: {Hash?: string}}
    const stamp = ['-s -w', `-X github.com/hashicorp/vault/version.BuildDate=${info.Time ?? new Date().toISOString()}`]
    const commit = info.Origin?.Hash ?? release.Origin?.Hash
    if (commit) stamp.push(`-X github.com/hashicorp/vault/version.GitCommit=${commit}`)
    const packages = (await go(['list', '-deps', '-tags', 'vault', '.'], src)).split('\n').filter(Boolean)
    const counter = new GoBuildProgress(packages)
    const bar = createProgress(stream ?? process.stderr)
    const build = execa('go', ['build', '-v', '-trimpath', '-tags', 'vault', '-ldflags', stamp.join(' '), '-o', partial, '.'], {cwd: src, env: goEnv, cancelSignal: signal, reject: false, stdout: 'ignore'})
    const messages: string[] = []
    const ticker = setInterval(() => bar.update(`  compiling ${counter.status()}`), 1000)
    try {
      for await (const line of build.iterable({from: 'stderr'})) {
        if (counter.line(line)) bar.update(`  compiling ${counter.status()}`)
        else messages.push(line)
      }
    } finally {
      clearInterval(ticker)
    }
    const result = await build
    bar.done(`  compiled ${counter.status()}`)
    if (signal.aborted) throw new Error('interrupted')
    if (result.exitCode !== 0) throw new UserError(`Building Vault ${version} failed at \`go build\`: ${messages.at(-1) ?? `exit ${result.exitCode}`}`, 'install Vault and put it on PATH, or report the message above')
    await mkdir(join(target, '..'), {recursive: true})
    await rename(partial, target)
    progress(`Built Vault ${version} in ${wholeSecondsSince(started)} s`)
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

async function applyShims(src: string, progress: (line: string) => void): Promise<void> {
  for (const shim of vaultRelease.shims) {
    const file = join(src, shim.file)
    const text = await readFile(file, 'utf8')
    const count = text.split(shim.from).length - 1
    if (count !== 1) {
      throw new UserError(`Building Vault ${vaultRelease.version}: the shim for ${shim.file} matched ${count} times`, 'the pinned release and its shims disagree: fix vaultRelease in src/lib/versions.ts')
    }
    await writeFile(file, text.replace(shim.from, shim.to))
    progress(`  shim ${shim.file}`)
  }
}

async function makeWritable(dir: string): Promise<void> {
  const execa = await loadExeca()
  // Module cache files are read-only; the copy must be writable to lay submodules into it and to remove it.
  await execa('chmod', ['-R', 'u+w', dir])
  await chmod(dir, 0o755)
}

function lastLine(error: unknown): string {
  const text = String((error as {stderr?: string}).stderr ?? (error as Error).message)
  return text.trim().split('\n').at(-1) ?? ''
}
