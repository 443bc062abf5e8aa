import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {run} from '../exec.js'
import {jsonValues} from '../json-stream.js'
import {kindSmoke} from '../registration/smoke-source.js'
import {BUILTIN_PLUGIN_NAMES, CORE_BACKEND_NAMES} from '../scaffold/names.js'
import {type EarlierOrigin, earlierOrigin} from '../scaffold/earlier-origin.js'
import {FIRST_COMMIT_MESSAGE} from '../scaffold/git.js'
import {baseRef, moveRef, writeBase} from '../scaffold/git-base.js'
import {vaultkitVersion} from '../scaffold/origin.js'
import {listKinds} from '../templates/kinds.js'
import type {SmokeDeclaration} from '../templates/smoke-spec.js'
import {type DatabaseSettings, PROJECT_FILE, type ProjectDescription, type VersionSource, checkDescription, describedFileText, layoutDescription, readProjectFile, writeDescription} from './description.js'
import {PLUGIN_TYPE, type PluginType, splitBinaryName} from './plugin-types.js'
import {nearestVersionTag, readGoMod, vaultConfigPluginDirectory} from './project.js'
import {readBuildSettings} from './makefile.js'

// `plugin init`: find the plugin in a Go repository and describe it in .vaultkit.json. Every finding says
// where it came from, so the author can check it; nothing but that file is written.

const SERVE_PACKAGES: Record<string, 'plugin' | 'database'> = {
  'github.com/hashicorp/vault/sdk/plugin': 'plugin',
  'github.com/hashicorp/vault/sdk/database/dbplugin/v5': 'database',
}

export interface InitOptions {
  project: string
  /** The main package when there are several: `./cmd/x`. */
  main?: string
  type?: PluginType
  /** A version to stamp (with a version variable) or register under. */
  version?: string
  force?: boolean
  dryRun?: boolean
  /** Asked when several main packages serve a plugin, or the type cannot be told; absent: an error names the flag. */
  choose?: (question: string, choices: string[]) => Promise<string>
  onStep?: (step: string) => void
}

export interface Finding {
  field: string
  value: string
  /** Where it was read: `go list`, `the binary name`, `Makefile`... */
  from: string
}

export interface InitResult {
  project: string
  file: string
  dryRun: boolean
  description: ProjectDescription
  findings: Finding[]
  notes: string[]
  /** The text of .vaultkit.json as written (or, with --dry-run, as it would be). */
  text: string
}

interface GoPackage {
  ImportPath: string
  Dir: string
  Name: string
  Imports?: string[]
  GoFiles?: string[]
  Error?: {Err: string}
  DepsErrors?: Array<{Err: string}>
}

export async function initProject(options: InitOptions): Promise<InitResult> {
  const root = resolve(options.project)
  const step = options.onStep ?? (() => {})
  const {module} = await readGoMod(root, `${root} has no go.mod: run plugin init at the root of the Go module that holds the plugin`)
  const existing = readProjectFile(root)
  if (existing?.plugin !== undefined && !options.force) {
    throw new UserError(`${join(root, PROJECT_FILE)} already describes the plugin`, 'edit it by hand, or pass --force to detect it again (fields vaultkit does not know are kept)')
  }

  const findings: Finding[] = []
  const notes: string[] = []
  const found = (field: string, value: string, from: string) => findings.push({field, value, from})

  const settings = await readBuildSettings(root)
  notes.push(...settings.notes)
  step('go list -export (compiles the packages: minutes the first time, then from the build cache)')
  const packages = await listPackages(root, settings)
  const candidates = packages.filter((p) => p.Name === 'main' && (p.Imports ?? []).some((i) => i in SERVE_PACKAGES))
  const main = await pickMain(root, module, candidates, options)
  const mainPath = packageArg(main, module)
  const broken = main.Error ?? main.DepsErrors?.[0]
  if (broken) throw new UserError(`${mainPath} does not build: ${firstLine(broken.Err)}`, `fix the build (go build ${mainPath}), then run plugin init again`)
  found('main', mainPath, `go list: package main importing ${(main.Imports ?? []).filter((i) => i in SERVE_PACKAGES).join(', ')}`)
  // As go build names it: the import path's last element (a /vN suffix dropped), not the checkout's folder.
  const binary = main.ImportPath.split('/').filter((part) => !/^v\d+$/.test(part)).at(-1) ?? basename(main.Dir)
  found('binary', binary, 'the main package, as go build names its binary')

  const type = await pickType(main, binary, packages, module, options, found)
  const derived = splitBinaryName(binary)?.name ?? binary.replace(/^vault-plugin-/, '')
  const name = CORE_BACKEND_NAMES.has(derived) ? `${derived}-ext` : derived
  found('name', name, splitBinaryName(binary) ? 'the binary name, as plugin new derives it' : 'the binary name')
  if (name !== derived) {
    notes.push(`Vault's core serves "${derived}" itself (a mount of ${derived} runs the built-in whatever the catalog holds): this build is registered and mounted as ${name}`)
  } else if (BUILTIN_PLUGIN_NAMES.has(name)) {
    notes.push(`"${name}" is the name of a plugin built into Vault: once registered, new mounts of ${name} get this build instead`)
  }

  const layout = isVaultkitLayout(root, binary)
  // A project of an earlier vaultkit: its layout, and no origin recorded.
  const earlier = layout && existing?.kind === undefined
  const version = await pickVersion(root, module, layout, settings.ldflagVariables, options, found, notes)
  const pluginDirectory = vaultConfigPluginDirectory(root)
  found('pluginDirectory', pluginDirectory ?? '.vaultkit/plugins', pluginDirectory ? 'vault-config.hcl' : 'default, under .vaultkit/ (ignored by git)')

  const description: ProjectDescription = {
    ...(layout ? layoutDescription({binaryName: binary, name, type, module}) : {}),
    main: mainPath,
    binary,
    type,
    name,
    version,
    build: {tags: settings.tags, ldflags: [], cgo: settings.cgo},
    pluginDirectory: pluginDirectory ?? '.vaultkit/plugins',
  }
  if (settings.tags.length > 0) found('build.tags', settings.tags.join(','), settings.tagsFrom!)
  if (settings.cgo) found('build.cgo', 'true', settings.cgoFrom!)
  const known = KNOWN_PLUGINS[derived]
  if (known?.note) notes.push(known.note)
  if (type === 'database') {
    description.database = known?.database ?? {config: {}}
    if (known?.database) found('database', JSON.stringify(known.database), `what ${derived} takes; the password comes from VAULTKIT_DB_PASSWORD`)
    else notes.push("Add the connection fields the plugin's config takes under plugin.database.config, and the dev role's creation_statements under plugin.database.role; the password comes from VAULTKIT_DB_PASSWORD, never the file")
  }
  let recorded: EarlierOrigin | undefined
  if (earlier) {
    // An earlier vaultkit's project answers what the built-in kind of its type answers.
    const kinds = listKinds()
    const kind = kinds.find((k) => k.manifest.pluginType === type && k.source === 'builtin')
    const smoke = kind ? kindSmoke(kind, kinds).smoke : undefined
    if (smoke) {
      description.smoke = smoke
      found('smoke', smoke.requests.map((r) => `${r.method} ${r.path}`).join(', '), `the built-in ${kind!.manifest.name} kind`)
    }
    recorded = kind ? await earlierOrigin(root, kind, {binary, module}) : {found: false, why: `no built-in kind makes ${type} plugins`}
    if (recorded.found) {
      found('origin', `the ${kind!.manifest.name} kind as that vaultkit rendered it (answers: module, name, version, description)`, `its first commit ${recorded.commit.slice(0, 12)} "${FIRST_COMMIT_MESSAGE}"`)
      notes.push(`This is a project of an earlier vaultkit: its first commit is kept as the base of \`plugin upgrade\`, which merges the ${kind!.manifest.name} kind's changes since then with your edits`)
    } else {
      notes.push(`This is a project of an earlier vaultkit: every command works on it now, but plugin upgrade cannot, since ${recorded.why}`)
    }
  } else if (!layout) {
    description.smoke = known?.smoke ?? helpSmoke(type)
    found('smoke', description.smoke.requests.map((r) => `${r.method} ${r.path}`).join(', '), known ? `what ${derived} answers` : "a help read of the mount: edit it to call the plugin's own paths")
  }

  // With --force, what the author wrote by hand and detection cannot know stays.
  const before = options.force && existing?.plugin !== undefined ? (existing.plugin as Partial<ProjectDescription>) : {}
  for (const key of ['mount', 'smoke', 'database'] as const) {
    if (description[key] === undefined && before[key] !== undefined) Object.assign(description, {[key]: before[key]})
  }
  if (before.build?.ldflags?.length) description.build.ldflags = before.build.ldflags
  // What every later command reads must pass their check now, not after the file is written.
  checkDescription(description, `the description found (${PROJECT_FILE})`)

  const file = join(root, PROJECT_FILE)
  const base = {vaultkit: vaultkitVersion(), ...(existing ?? {}), ...(recorded?.found ? recorded.origin : {})}
  let text: string
  if (options.dryRun) text = describedFileText(description, base)
  else if (recorded?.found) text = await writeWithBase(root, description, base, recorded)
  else text = await writeDescription(root, description, base)
  return {project: root, file, dryRun: Boolean(options.dryRun), description, findings, notes, text}
}

/**
 * The file, and the earlier render kept under the base ref as plugin new keeps its own: the ref moves only
 * once the objects are written, and back if the file cannot be.
 */
async function writeWithBase(root: string, description: ProjectDescription, data: Record<string, unknown>, recorded: EarlierOrigin & {found: true}): Promise<string> {
  const ref = baseRef(recorded.repository, root)
  const stored = await writeBase(root, ref, recorded.files, `vaultkit: the render of ${recorded.commit.slice(0, 12)}, the first commit, by an earlier vaultkit`)
  if (stored.tree !== recorded.origin.base) throw new Error(`git stored the earlier render as ${stored.tree}, not ${recorded.origin.base}`)
  await moveRef(root, ref, stored.commit, stored.parent)
  try {
    return await writeDescription(root, description, data)
  } catch (error) {
    await moveRef(root, ref, stored.parent, stored.commit)
    throw error
  }
}

/**
 * `go list -e -export -json ./...` with the repository's tags and plugin build's compile flags: every package
 * with its imports and files, and compiled by the toolchain (no link), so a main package that does not build
 * is known now, and the build cache it fills serves the first dev round. A separate go build would cost
 * four times a go list on KV even when warm (it links); see bench/init.js.
 */
async function listPackages(root: string, settings: {tags: string[]; cgo: boolean}): Promise<GoPackage[]> {
  const fields = 'ImportPath,Dir,Name,Imports,GoFiles,Error,DepsErrors'
  const args = ['list', '-e', '-export', '-trimpath', `-json=${fields}`, ...(settings.tags.length > 0 ? ['-tags', settings.tags.join(',')] : []), './...']
  const listed = await run('go', args, {cwd: root, env: {CGO_ENABLED: settings.cgo ? '1' : '0'}})
  if (errnoCode(listed) === 'ENOENT') throw new UserError('go was not found on PATH', 'install Go, then run plugin init again')
  if (listed.exitCode !== 0) throw new UserError(`go list failed in ${root}: ${firstLine(String(listed.stderr))}`, 'fix the module (go mod tidy), then run plugin init again')
  return jsonValues(String(listed.stdout)) as GoPackage[]
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? ''

/** The package as `go build` takes it from the module root: `./cmd/x`, or `.` for the root package. */
function packageArg(pkg: GoPackage, module: string): string {
  return pkg.ImportPath === module ? '.' : `./${pkg.ImportPath.slice(module.length + 1)}`
}

async function pickMain(root: string, module: string, candidates: GoPackage[], options: InitOptions): Promise<GoPackage> {
  const named = (p: GoPackage) => packageArg(p, module)
  if (options.main !== undefined) {
    const relative = options.main.replace(/^\.\//, '').replace(/\/+$/, '')
    const wanted = relative === '' || relative === '.' ? '.' : `./${relative}`
    const chosen = candidates.find((p) => named(p) === wanted)
    if (!chosen) {
      const listed = candidates.length > 0 ? `it serves from ${candidates.map(named).join(', ')}` : 'no main package serves a plugin'
      throw new UserError(`--main ${options.main} is not a main package that serves a Vault plugin (${listed})`, 'pass one of those, or check the path')
    }
    return chosen
  }
  if (candidates.length === 0) {
    throw new UserError(
      `No main package in ${root} serves a Vault plugin (none imports github.com/hashicorp/vault/sdk/plugin or sdk/database/dbplugin/v5)`,
      'run plugin init in the repository of a Vault plugin; a plugin whose main needs build tags wants them in the Makefile as BUILD_TAGS',
    )
  }
  if (candidates.length === 1) return candidates[0]!
  const choices = candidates.map(named)
  if (!options.choose) throw new UserError(`${candidates.length} main packages serve a plugin: ${choices.join(', ')}`, 'pass --main with the one to use')
  const answer = await options.choose('Which main package is the plugin?', choices)
  return candidates[choices.indexOf(answer)]!
}

async function pickType(
  main: GoPackage,
  binary: string,
  packages: GoPackage[],
  module: string,
  options: InitOptions,
  found: (field: string, value: string, from: string) => void,
): Promise<PluginType> {
  const database = (main.Imports ?? []).some((i) => SERVE_PACKAGES[i] === 'database')
  if (options.type) {
    if (database && options.type !== 'database') throw new UserError(`--type ${PLUGIN_TYPE[options.type].word} does not fit: ${binary} serves a database plugin (dbplugin/v5)`, 'leave --type out')
    found('type', options.type, '--type')
    return options.type
  }
  if (database) {
    found('type', 'database', 'the main package imports dbplugin/v5')
    return 'database'
  }
  const byName = splitBinaryName(binary)?.type
  if (byName) {
    found('type', byName, `the binary name (${PLUGIN_TYPE[byName].binaryPrefix}*)`)
    return byName
  }
  const byBackend = await backendType(packages.filter((p) => p.ImportPath === module || p.ImportPath.startsWith(`${module}/`)))
  if (byBackend) {
    found('type', byBackend.type, `BackendType in ${byBackend.file}`)
    return byBackend.type
  }
  if (!options.choose) throw new UserError(`Cannot tell whether ${binary} is a secrets engine or an auth method`, 'pass --type secrets or --type auth')
  const answer = await options.choose(`Is ${binary} a secrets engine or an auth method?`, ['secrets', 'auth'])
  return answer === 'auth' ? 'auth' : 'secret'
}

/** The backend's `BackendType: logical.TypeLogical | TypeCredential` in the module's own (non-test) files. */
async function backendType(packages: GoPackage[]): Promise<{type: PluginType; file: string} | undefined> {
  for (const pkg of packages) {
    for (const file of pkg.GoFiles ?? []) {
      const text = await readFile(join(pkg.Dir, file), 'utf8').catch(() => '')
      const match = /BackendType:\s*logical\.Type(Logical|Credential)\b/.exec(text)
      if (match) return {type: match[1] === 'Credential' ? 'auth' : 'secret', file}
    }
  }
  return undefined
}

/** vaultkit's own layout (a project of an earlier vaultkit): cmd/<binary>, version/version.go, vault-config.hcl. */
function isVaultkitLayout(root: string, binary: string): boolean {
  return existsSync(join(root, 'cmd', binary)) && existsSync(join(root, 'version', 'version.go')) && existsSync(join(root, 'vault-config.hcl'))
}

async function pickVersion(
  root: string,
  module: string,
  layout: boolean,
  variables: Array<{variable: string; from: string}>,
  options: InitOptions,
  found: (field: string, value: string, from: string) => void,
  notes: string[],
): Promise<VersionSource> {
  const versionFile = join(root, 'version', 'version.go')
  if (existsSync(versionFile) && /\bVersion\s*=\s*"v?\d+\.\d+\.\d+[^"]*"/.test(await readFile(versionFile, 'utf8'))) {
    if (options.version !== undefined) {
      throw new UserError('--plugin-version cannot be used here: version/version.go sets the plugin\'s version', 'change the version there, and leave --plugin-version out')
    }
    found('version', 'version/version.go', layout ? "vaultkit's layout" : 'a Version variable in version/version.go')
    return {from: 'file', file: 'version/version.go', variable: `${module}/version.Version`}
  }
  const stamped = variables.find((v) => /version$/i.test(v.variable))
  if (options.version !== undefined) {
    const value = options.version.replace(/^v/, '')
    found('version', value, '--plugin-version')
    if (!stamped) notes.push(`No version variable was found to stamp ${value} into: it is registered under v${value}, which Vault accepts for a plugin that reports none`)
    return stamped ? {from: 'value', value, variable: stamped.variable} : {from: 'value', value}
  }
  if (stamped) {
    const tag = await nearestVersionTag(root).catch(() => undefined)
    if (tag) {
      found('version', `the nearest git tag (now v${tag}), into ${stamped.variable}`, stamped.from)
      return {from: 'git-tag', variable: stamped.variable}
    }
    notes.push(`${stamped.from} sets ${stamped.variable}, but the repository has no vX.Y.Z tag: pass --plugin-version to stamp one`)
  }
  found('version', 'none: registered and mounted unversioned', 'no version variable or version/version.go')
  return {from: 'none'}
}

interface KnownPlugin {
  smoke: SmokeDeclaration
  /** Database plugins: config fields and the dev role. */
  database?: DatabaseSettings
  note?: string
}

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: ${path}, ${name} and ${random} are smoke placeholders (smoke-spec.ts)
/**
 * Plugins vaultkit knows how to try, by the name their binary gives. HashiCorp's KV: Vault lets only a mount
 * of type kv (always its built-in) take the version=2 option, so an external KV build mounts as KV version 1
 * and is tried with a write and a read there. HashiCorp's Redis: host, port and an ACL user, and a creation
 * statement that is a JSON list of ACL rules.
 */
const KNOWN_PLUGINS: Record<string, KnownPlugin> = {
  kv: {
    smoke: {
      requests: [
        {method: 'PUT', path: '${path}/vaultkit-smoke', body: {value: '${random}'}},
        {method: 'GET', path: '${path}/vaultkit-smoke', expect: {'data.value': true}},
      ],
      show: 'read back ${path}/vaultkit-smoke',
    },
    note: 'Vault accepts the version=2 mount option only for its built-in kv, so this build mounts as KV version 1 (its passthrough backend)',
  },
  redis: {
    smoke: {requests: [{method: 'GET', path: '${path}/creds/${name}', expect: {'data.username': true}}], show: 'user ${data.username}'},
    database: {config: {host: '127.0.0.1', port: 6379, username: 'default'}, role: {creation_statements: ['["~*", "+@read"]']}},
  },
}

/** For a plugin vaultkit knows nothing about: the mount's help, which every backend answers. */
function helpSmoke(type: PluginType): SmokeDeclaration {
  if (type === 'database') return {requests: [{method: 'GET', path: '${path}/config/${name}', expect: {'data.plugin_name': true}}]}
  return {requests: [{method: 'GET', path: '${path}?help=1'}]}
}
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: smoke placeholders


