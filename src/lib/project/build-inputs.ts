import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readdir, readFile, realpath, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

import {findOnPath} from '../paths.js'

// What a `go build` of the plugin reads, as one fingerprint: the sources, the command and its environment,
// and the toolchain. Recorded with the build, it lets a build whose fingerprint is unchanged be skipped
// (plugin docs or plugin test on an unchanged plugin), since go would only find the binary up to date. Modules
// outside the project need nothing: go.sum pins every one, and the module cache never changes them.

/** Files go reads to build a package, by extension (cgo, assembly and syso objects included). */
const SOURCE = /\.(go|s|S|sx|c|cc|cxx|cpp|h|hh|hpp|hxx|m|f|F|for|f90|swig|swigcxx|syso)$/
/** Never part of a build: version control, vaultkit's state, JavaScript, release output. */
const SKIPPED = new Set(['.git', '.vaultkit', 'node_modules', 'dist'])
/** More than this many bytes of files to hash: not worth it, let go decide. */
const LIMIT = 64 << 20

/**
 * The fingerprint, or undefined where it cannot be told from the project alone: a go.work, a replace
 * directive that points at a folder outside the project, or cgo (C headers and libraries of the system).
 * `pluginDir` (where builds land) is left out.
 */
export async function buildInputs(projectDir: string, pluginDir: string, args: string[], env: Record<string, string>): Promise<string | undefined> {
  if ((env.CGO_ENABLED ?? process.env.CGO_ENABLED) !== '0') return undefined
  if (await usesWorkspace(projectDir)) return undefined
  const goMod = await readFile(join(projectDir, 'go.mod'), 'utf8').catch(() => undefined)
  if (goMod === undefined || replacesOutside(goMod, projectDir)) return undefined
  const files = await moduleFiles(projectDir, pluginDir)
  const hash = createHash('sha256')
  const add = (...parts: (string | Buffer)[]) => {
    for (const part of parts) hash.update(part).update('\0')
  }
  add('args', ...args)
  const environment = {...process.env, ...env}
  for (const name of Object.keys(environment).sort()) {
    if (/^(GO|CGO_)|^(CC|CXX|AR|PKG_CONFIG)$/.test(name)) add(name, environment[name] ?? '')
  }
  add('toolchain', await toolchainIdentity(environment))
  add('go env', await readFile(goEnvFile(environment), 'utf8').catch(() => ''))
  let bytes = 0
  for (const file of files) {
    const contents = await readFile(join(projectDir, file))
    bytes += contents.length
    if (bytes > LIMIT) return undefined
    add(file, contents)
  }
  return hash.digest('hex')
}

/** A go.work applies (GOWORK, or one in this folder or above it): other modules' folders are then built too. */
async function usesWorkspace(projectDir: string): Promise<boolean> {
  const gowork = process.env.GOWORK
  if (gowork !== undefined && gowork !== '') return gowork !== 'off'
  for (let dir = resolve(projectDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'go.work'))) return true
    if (dirname(dir) === dir) return false
  }
}

/** A replace directive whose target is a folder (not a module version) outside the project. */
function replacesOutside(goMod: string, projectDir: string): boolean {
  for (const match of goMod.matchAll(/=>\s*(\S+)(\s+v\S+)?/g)) {
    const target = match[1]!
    if (!(target.startsWith('./') || target.startsWith('../') || isAbsolute(target))) continue
    const inside = relative(projectDir, resolve(projectDir, target))
    if (inside.startsWith('..') || isAbsolute(inside)) return true
  }
  return false
}

/**
 * The project's files a build may read, relative and sorted: Go's source kinds, go.mod, go.sum, vendor's
 * list; every file when a //go:embed may pull one in. Nested modules are included too (a cheap excess).
 */
async function moduleFiles(projectDir: string, pluginDir: string): Promise<string[]> {
  const all: string[] = []
  const builds = relative(projectDir, pluginDir).split(sep).join('/')
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(projectDir, dir), {withFileTypes: true})) {
      const path = dir ? `${dir}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && path !== builds) await walk(path)
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        all.push(path)
      }
    }
  }
  await walk('')
  all.sort()
  const sources = all.filter((file) => SOURCE.test(file))
  let embeds = false
  for (const file of sources.filter((f) => f.endsWith('.go'))) {
    if ((await readFile(join(projectDir, file), 'utf8')).includes('//go:embed')) {
      embeds = true
      break
    }
  }
  // .go-version and .tool-versions: version managers (goenv, asdf) pick the toolchain by them.
  return embeds ? all : all.filter((file) => SOURCE.test(file) || /(^|\/)(go\.mod|go\.sum|modules\.txt|\.go-version|\.tool-versions)$/.test(file))
}

/** The `go` that PATH finds, by its resolved path, size and modification time, and GOROOT if set. */
async function toolchainIdentity(environment: NodeJS.ProcessEnv): Promise<string> {
  const found = await findOnPath([process.platform === 'win32' ? 'go.exe' : 'go'], environment)
  if (found === undefined) return 'none'
  const path = await realpath(found).catch(() => found)
  const {size, mtimeMs} = await stat(path)
  return `${path} ${size} ${mtimeMs} ${environment.GOROOT ?? ''}`
}

/** Where `go env -w` keeps its settings (GOENV, else the user's config folder), as os.UserConfigDir says. */
function goEnvFile(environment: NodeJS.ProcessEnv): string {
  if (environment.GOENV) return environment.GOENV
  const config =
    process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Application Support')
      : process.platform === 'win32'
        ? (environment.AppData ?? '')
        : (environment.XDG_CONFIG_HOME ?? join(homedir(), '.config'))
  return join(config, 'go', 'env')
}
