import {readdir, readFile} from 'node:fs/promises'
import {isAbsolute, join, resolve} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {type PluginType, splitBinaryName} from './plugin-types.js'

/** What vaultkit needs to know about a generated project, read from its own files. */
export interface PluginProject {
  dir: string
  module: string
  /** `vault-plugin-secrets-hello` */
  binaryName: string
  /** `hello`: catalog name and default mount path. */
  name: string
  pluginType: PluginType
  /** Without the `v`, as in version/version.go. */
  version: string
  /** Absolute; from vault-config.hcl's plugin_directory, relative paths taken from the project. */
  pluginDir: string
  /** go.mod's `go` directive: the oldest Go that builds the project. */
  goDirective?: string
}

/** A plugin binary's folder under cmd/: vault-plugin-<secrets|auth|database>-<name>. */
const isBinaryName = (name: string) => /^[a-z0-9-]+$/.test(splitBinaryName(name)?.name ?? '')

async function readText(path: string, missing: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(missing)
    throw error
  }
}

export async function readProject(dir: string): Promise<PluginProject> {
  const root = resolve(dir)
  const notProject = `${root} is not a vaultkit plugin project (no go.mod): cd into one, or create one with \`vaultkit plugin new\``
  const goMod = await readText(join(root, 'go.mod'), notProject)
  const module = /^module\s+(\S+)/m.exec(goMod)?.[1]
  if (!module) throw new UserError(`${join(root, 'go.mod')} has no module line`, 'fix go.mod')

  const commands = await readdir(join(root, 'cmd')).catch(() => [] as string[])
  const binaries = commands.filter(isBinaryName)
  if (binaries.length !== 1) {
    throw new UserError(
      `${join(root, 'cmd')} should hold exactly one vault-plugin-<secrets|auth|database>-<name> folder (found ${binaries.length})`,
      'keep one plugin binary per project',
    )
  }
  const binaryName = binaries[0]!
  const {type: pluginType, name} = splitBinaryName(binaryName)!

  const versionFile = join(root, 'version', 'version.go')
  const versionGo = await readText(versionFile, `${versionFile} is missing: the plugin's version lives there`)
  const version = /\bVersion\s*=\s*"v?([^"]+)"/.exec(versionGo)?.[1]
  if (!version) throw new UserError(`${versionFile} does not set Version = "x.y.z"`, 'restore the Version variable')

  const hcl = await readText(join(root, 'vault-config.hcl'), `${join(root, 'vault-config.hcl')} is missing: it names the plugin directory`)
  const configured = /^\s*plugin_directory\s*=\s*"([^"]+)"/m.exec(hcl)?.[1]
  if (!configured) {
    throw new UserError('vault-config.hcl sets no plugin_directory', 'add plugin_directory = "./vault/plugins" to vault-config.hcl')
  }
  return {
    dir: root,
    module,
    binaryName,
    name,
    pluginType,
    version,
    pluginDir: isAbsolute(configured) ? configured : resolve(root, configured),
    goDirective: /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1],
  }
}
