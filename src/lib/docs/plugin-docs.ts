import {readFile, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, resolve as resolvePath} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {makeFolders, removeFolders} from '../paths.js'
import {PLUGIN_TYPE} from '../project/plugin-types.js'
import {readProject} from '../project/project.js'
import {buildAndRegister, projectDeployTarget} from '../registration/deploy.js'
import type {VaultClient} from '../vault/client.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import {projectServerStatus, startProjectServer, stopProjectServer} from '../vault/project-server.js'
import {databaseDocument, databaseEngineOpenAPI, databaseSampleFields, readConnectionSettings} from './database-docs.js'
import {type DocsSubject, renderMarkdown} from './markdown.js'
import {type OpenAPIDocument, documentedPaths, mountDocument} from './openapi.js'

export type DocsFormat = 'markdown' | 'json'

export interface PluginDocsOptions {
  projectDir: string
  /** Mount path; default the project's. */
  path?: string
  /** Relative to the project; default docs/api.md (docs/openapi.json for json). */
  out?: string
  format: DocsFormat
  /** Compare instead of writing. */
  check: boolean
  vaultBin?: string
  log: (line: string) => void
  /** Aborted on Ctrl-C: the run stops after the step it is in, with nothing written and no server left. */
  signal?: AbortSignal
}

export interface PluginDocsResult {
  file: string
  format: DocsFormat
  paths: number
  /** The file held something else before (written), or holds something else (check). */
  changed: boolean
  /** With --check and a change: the unified diff from the file to what the plugin says now. */
  diff?: string
}

export const defaultDocsFile = (format: DocsFormat) => (format === 'json' ? 'docs/openapi.json' : 'docs/api.md')

/**
 * `plugin docs`: the current build deployed to the project's dev server (started, or the running one, as
 * `plugin dev` does), the mount's OpenAPI read from Vault, and the API reference written from it (or, with
 * `check`, compared with the file). A server this started is stopped at the end.
 */
export async function pluginDocs(options: PluginDocsOptions): Promise<PluginDocsResult> {
  const project = await readProject(options.projectDir)
  const file = resolvePath(project.dir, options.out ?? defaultDocsFile(options.format))
  // A server of the project that runs whole needs no Vault binary found and checked (a tenth of a second).
  const status = await projectServerStatus(project.dir)
  const whole = status.running && status.nodes.every((node) => node.role === 'active' || node.role === 'standby')
  const vaultBin = whole && status.vaultBin ? status.vaultBin : (await ensureVaultBinary({vaultBin: options.vaultBin, build: true, onProgress: options.log})).path
  const started = await startProjectServer(project, vaultBin, undefined, options.log)
  const checkpoint = () => {
    if (options.signal?.aborted) throw new UserError('Interrupted', 'nothing was written, and a dev server this started was stopped', 130)
  }
  try {
    checkpoint()
    const target = await projectDeployTarget(project.dir)
    const database = project.pluginType === 'database'
    const deployed = await buildAndRegister(target, project.dir, {path: options.path, catalogOnly: database, onCompilerOutput: (text) => options.log(text)}).catch((error: unknown) => {
      checkpoint() // a build cut short by Ctrl-C says so, not that go failed
      throw error
    })
    checkpoint()
    const path = deployed.registered.path
    const mountPrefix = PLUGIN_TYPE[project.pluginType].requestPath(path)
    let subject: DocsSubject = {binaryName: project.binaryName, noun: PLUGIN_TYPE[project.pluginType].noun, name: project.name, mountPrefix}
    let doc: OpenAPIDocument
    if (database) {
      // The plugin has no paths: the engine's serve it, with the connection settings the plugin lists.
      const settings = await readConnectionSettings(deployed.built.path, options.signal)
      checkpoint()
      const engine = await databaseEngineOpenAPI(deployed.client, path, (prefix) => mountOpenAPI(deployed.client, prefix))
      doc = databaseDocument(engine, {name: deployed.registered.name, version: project.version}, settings)
      subject = {...subject, intro: databaseIntro(subject, settings !== undefined), inSample: databaseSampleFields(settings)}
    } else doc = await mountOpenAPI(deployed.client, mountPrefix)
    const paths = documentedPaths(doc).length
    if (paths === 0) throw new UserError(`${project.binaryName} declares no paths at ${mountPrefix}/`, 'give its backend framework.Paths, then document it')
    const text =
      options.format === 'json'
        ? `${JSON.stringify(mountDocument(doc, mountPrefix, {title: project.binaryName, version: project.version ?? '0.0.0', description: `The HTTP API of the ${project.name} ${subject.noun}.`}), null, 2)}\n`
        : renderMarkdown(doc, subject)
    const before = await readFile(file, 'utf8').catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined
      if (errnoCode(error) === 'EISDIR') throw new UserError(`${file} is a folder`, 'pass --out a file name, e.g. docs/api.md')
      throw new UserError(`${file} cannot be read (${errnoCode(error)})`, 'check its permissions')
    })
    const changed = before !== text
    checkpoint()
    if (options.check) {
      return {file, format: options.format, paths, changed, ...(changed ? {diff: await unifiedDiff(file, before ?? '', text)} : {})}
    }
    if (changed) await writeWhole(file, text)
    return {file, format: options.format, paths, changed}
  } finally {
    if (!started.alreadyRunning) await stopProjectServer(project.dir)
  }
}

function databaseIntro(subject: DocsSubject, listsSettings: boolean): string[] {
  return [
    `The HTTP API a user of the ${subject.name} database plugin calls. The plugin runs under Vault's database secrets engine, so these are the engine's paths: a connection that uses this plugin, with the plugin's own connection settings, then roles and the credentials the plugin creates for them. The examples mount the engine at \`${subject.mountPrefix}/\`: replace that with your mount path. Paths are relative to \`$VAULT_ADDR/v1/\`, and every request needs a token (\`X-Vault-Token\`).`,
    listsSettings
      ? `Written by \`vaultkit plugin docs\` from the connection settings the plugin lists (\`${subject.binaryName} -connection-settings\`) and the OpenAPI document of Vault's database engine; the engine's other paths are in Vault's own documentation. \`vaultkit plugin docs --check\` fails when it no longer matches the plugin.`
      : `Written by \`vaultkit plugin docs\` from the OpenAPI document of Vault's database engine. The plugin does not list its connection settings (\`${subject.binaryName} -connection-settings\`, as plugins made by \`vaultkit plugin new\` do), so the connection's parameters below are the engine's alone.`,
  ]
}

/**
 * The plugin's own OpenAPI document, from `<mount>?help=1`: Vault's combined document
 * (sys/internal/specs/openapi) drops the `$ref`s of an external plugin's request bodies.
 */
export async function mountOpenAPI(client: VaultClient, mountPrefix: string): Promise<OpenAPIDocument> {
  const help = (await client.get(`${mountPrefix}?help=1`)) as {openapi?: OpenAPIDocument} | undefined
  if (!help?.openapi?.paths) throw new UserError(`Vault gave no OpenAPI document for ${mountPrefix}/`, 'check that the mount runs this plugin (`vaultkit plugin status`)')
  return help.openapi
}

async function writeWhole(file: string, text: string): Promise<void> {
  const partial = `${file}.partial`
  let made: string[] = []
  try {
    made = await makeFolders(dirname(file))
    await writeFile(partial, text)
    await rename(partial, file)
  } catch (error) {
    await rm(partial, {force: true})
    await removeFolders(made)
    throw new UserError(`${file} cannot be written (${errnoCode(error) ?? String(error)})`, 'choose another --out, or make its folder writable')
  }
}

async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  const {createTwoFilesPatch} = await import('diff')
  return createTwoFilesPatch(file, `${file} (from the plugin)`, before, after, undefined, undefined, {context: 3})
}
