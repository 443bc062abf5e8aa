import {createHash} from 'node:crypto'
import {copyFile, mkdir, open, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {sweepAbandoned} from '../abandoned.js'
import {UserError, errnoCode} from '../errors.js'
import {run} from '../exec.js'
import {buildInputs} from './build-inputs.js'
import {type FileIdentity, fileIdentity, recordBuild, recordedBuild} from './build-record.js'
import type {PluginProject} from './project.js'
import {buildCoverFlags} from '../testing/coverage.js'
import {secondsSince} from '../timing.js'

export interface BuildResult {
  path: string
  /** With the `v`, as Vault reports it; undefined for a plugin that reports none. */
  version?: string
  sha256: string
  seconds: number
  /** Nothing it reads changed since the recorded build of this file: go was not run. */
  upToDate?: true
}

const stampedVersion = (project: Pick<PluginProject, 'version'>) => (project.version === undefined ? undefined : `v${project.version}`)

const CHUNK = 4 << 20

// A plugin binary is a few tens of MB, hashed on every plugin dev round: read in large chunks, the next one
// read (by libuv's thread pool) while this one is hashed. A third faster than reading it whole, then hashing
// it; a stream's 64 KiB chunks are slower than either (bench/dev-loop.js).
export async function sha256File(path: string): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const hash = createHash('sha256')
    const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)]
    let next = 0
    let reading = handle.read(buffers[next]!, 0, CHUNK, null)
    for (;;) {
      const {bytesRead, buffer} = await reading
      if (bytesRead === 0) return hash.digest('hex')
      next ^= 1
      reading = handle.read(buffers[next]!, 0, CHUNK, null)
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
}

/**
 * `go build` of the plugin into its plugin directory, the version stamped so that what the binary reports
 * always matches what it is registered as. Built beside the target and renamed over it: a running plugin
 * keeps its old file, and a failed build leaves the last good binary in place.
 */
export async function buildPlugin(project: PluginProject, onOutput?: (text: string) => void, options: {debug?: boolean; cover?: string[]} = {}): Promise<BuildResult> {
  const started = performance.now()
  const target = join(project.pluginDir, project.binaryName)
  // Per process: plugin dev's watcher and a plugin test or docs may build the same project at once. Named
  // as sweepAbandoned expects, which removes the ones a killed build left.
  const partial = join(project.pluginDir, `.build-${process.pid}-${project.binaryName}`)
  await mkdir(project.pluginDir, {recursive: true})
  await sweepAbandoned(project.pluginDir, ['build'])
  // For a debugger: no optimisation or inlining, and the sources' real paths (not -trimpath's module paths),
  // so an editor's breakpoints by file match.
  // `cover`: instrumented for coverage of these packages (plugin test --cover).
  // -buildvcs=false: no `git status` and friends before each build, and no stamp a dev build has no use for.
  const flags = [...(options.debug ? ['-gcflags=all=-N -l'] : ['-trimpath']), '-buildvcs=false', ...(options.cover ? buildCoverFlags(options.cover) : [])]
  const settings = [...flags, ...buildFlags(project, {strip: !options.debug})]
  const env = {CGO_ENABLED: project.description.build.cgo ? '1' : '0'}
  // Unchanged since the last build of this very file (sources, command, environment, toolchain): go would
  // find it up to date, after a second or so of checking and linking. plugin docs and plugin test gain most.
  const inputs = await buildInputs(project.dir, project.pluginDir, [...settings, project.description.main, target], env)
  const last = inputs === undefined ? undefined : await recordedBuild(project.dir, target)
  if (last !== undefined && last.inputs === inputs) return {path: target, version: stampedVersion(project), sha256: last.sha256, seconds: secondsSince(started), upToDate: true}
  // go build leaves an output whose build ID is already the one it would link: starting from a copy of the
  // last build, an unchanged build skips the link (0.3 s instead of 1.1-1.4 s; bench/plugin-docs.js).
  await copyFile(target, partial).catch(() => rm(partial, {force: true}))
  const result = await run('go', ['build', ...settings, '-o', partial, project.description.main], {cwd: project.dir, env})
  if (errnoCode(result) === 'ENOENT') throw new UserError('go was not found on PATH', 'install Go, then build again')
  if (result.exitCode !== 0) {
    await rm(partial, {force: true})
    if (result.all) onOutput?.(result.all)
    throw new UserError('go build failed', 'fix the errors above and build again', result.exitCode ?? 1)
  }
  await rename(partial, target)
  // Its identity before it is read: a build landing while it is hashed is then not recorded under this sha256.
  const identity = await fileIdentity(target)
  const sha256 = await sha256File(target)
  await recordBuild(project.dir, target, sha256, identity, inputs)
  return {path: target, version: stampedVersion(project), sha256, seconds: secondsSince(started)}
}

/**
 * -tags and -ldflags as the project describes them, the version stamped into its variable. `strip`: a dev
 * build leaves out the symbol table and DWARF (-s -w), which only a debugger reads: about a quarter less
 * to link and a third less to hash and load (bench/dev-loop.js); panics still print their stack traces.
 */
export function buildFlags(project: Pick<PluginProject, 'description' | 'version'>, options: {strip?: boolean} = {}): string[] {
  const {build, version} = project.description
  const ldflags = [...(options.strip ? ['-s', '-w'] : []), ...build.ldflags]
  if (version.from !== 'none' && version.variable && project.version !== undefined) ldflags.push(`-X ${version.variable}=${project.version}`)
  return [...(build.tags.length > 0 ? ['-tags', build.tags.join(',')] : []), ...(ldflags.length > 0 ? ['-ldflags', ldflags.join(' ')] : [])]
}

/**
 * The project build's sha256 with the identity it was taken at (undefined: not known, so not to be
 * recorded): `given` (plugin dev has just built it), else the recorded one, else read and recorded. A
 * file replaced while it was read is read again.
 */
export async function buildSha256(projectDir: string, path: string, given?: string): Promise<{sha256: string; identity?: FileIdentity}> {
  const recorded = await recordedBuild(projectDir, path)
  if (given !== undefined) return {sha256: given, identity: recorded?.sha256 === given ? recorded.identity : undefined}
  if (recorded) return recorded
  for (let attempt = 0; attempt < 3; attempt++) {
    const identity = await fileIdentity(path)
    const sha256 = await sha256File(path)
    if (await recordBuild(projectDir, path, sha256, identity)) return {sha256, identity}
  }
  throw new UserError(`${path} kept changing while it was read`, 'wait for the build to finish, then register again')
}
