import {existsSync, readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {isAbsolute, join, resolve} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {run} from '../exec.js'
import {PROJECT_FILE, type ProjectDescription, readDescription} from './description.js'
import type {PluginType} from './plugin-types.js'

/** What vaultkit needs to know about a project: its description in .vaultkit.json, resolved against its files. */
export interface PluginProject {
  dir: string
  module: string
  /** The build's file name: `vault-plugin-secrets-hello`. */
  binaryName: string
  /** `hello`: catalog name and default mount path. */
  name: string
  pluginType: PluginType
  /** Without the `v`; undefined for a plugin that reports none (registered and mounted unversioned). */
  version?: string
  /** Absolute. */
  pluginDir: string
  /** go.mod's `go` directive: the oldest Go that builds the project. */
  goDirective?: string
  description: ProjectDescription
}

async function readText(path: string, missing: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(missing)
    throw error
  }
}

/** The module path and `go` directive of a folder's go.mod; `missing` is the message when there is none. */
export async function readGoMod(root: string, missing: string): Promise<{module: string; goDirective?: string}> {
  const goMod = await readText(join(root, 'go.mod'), missing)
  const module = /^module\s+"?([^"\s]+)/m.exec(goMod)?.[1]
  if (!module) throw new UserError(`${join(root, 'go.mod')} has no module line`, 'fix go.mod')
  return {module, goDirective: /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1]}
}

/** The plugin_directory of the project's vault-config.hcl (what `make dev` runs Vault with), as written. */
export function vaultConfigPluginDirectory(root: string): string | undefined {
  const file = join(root, 'vault-config.hcl')
  if (!existsSync(file)) return undefined
  return /^\s*plugin_directory\s*=\s*"([^"]+)"/m.exec(readFileSync(file, 'utf8'))?.[1]
}

export async function readProject(dir: string): Promise<PluginProject> {
  const root = resolve(dir)
  const {module, goDirective} = await readGoMod(root, `${root} is not a Go module (no go.mod): cd into a plugin's repository, or create one with \`vaultkit plugin new\``)
  const description = readDescription(root)
  if (!description) throw notDescribed(root)
  return {
    dir: root,
    module,
    binaryName: description.binary,
    name: description.name,
    pluginType: description.type,
    version: await resolveVersion(root, description),
    pluginDir: isAbsolute(description.pluginDirectory) ? description.pluginDirectory : resolve(root, description.pluginDirectory),
    goDirective,
    description,
  }
}

/** A project .vaultkit.json does not describe: one made by an earlier vaultkit, or any other plugin. */
function notDescribed(root: string): UserError {
  const earlier = existsSync(join(root, 'version', 'version.go')) && existsSync(join(root, 'vault-config.hcl'))
  return earlier
    ? new UserError(`${root} was made by an earlier vaultkit: ${PROJECT_FILE} does not describe the plugin yet`, 'run `vaultkit plugin init` once in it')
    : new UserError(`${root} is not set up for vaultkit: ${PROJECT_FILE} does not describe a plugin here`, 'run `vaultkit plugin init` to find the plugin and write it')
}

async function resolveVersion(root: string, description: ProjectDescription): Promise<string | undefined> {
  const source = description.version
  switch (source.from) {
    case 'none':
      return undefined
    case 'value':
      return source.value
    case 'file': {
      const file = join(root, source.file)
      const text = await readText(file, `${file} is missing: .vaultkit.json says the plugin's version lives there`)
      const version = /\bVersion\s*=\s*"v?([^"]+)"/.exec(text)?.[1]
      if (!version) throw new UserError(`${file} does not set Version = "x.y.z"`, 'restore the Version variable')
      return version
    }
    case 'git-tag':
      return nearestVersionTag(root)
  }
}

/** The nearest vX.Y.Z tag the checked-out commit descends from (a hotfix branch's own), without the v. */
export async function nearestVersionTag(root: string): Promise<string> {
  const described = await run('git', ['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*.[0-9]*.[0-9]*'], {cwd: root})
  const tag = described.exitCode === 0 && /^v\d+\.\d+\.\d+$/.test(String(described.stdout).trim()) ? String(described.stdout) : undefined
  if (!tag) {
    throw new UserError(`${root} has no vX.Y.Z git tag, and .vaultkit.json takes the version from the nearest one (git describe)`, 'tag a release (git tag v0.1.0), or set plugin.version to {"from": "value", ...} in .vaultkit.json')
  }
  return tag.trim().slice(1)
}
