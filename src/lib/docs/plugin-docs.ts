import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, resolve as resolvePath} from 'node:path'

import {UserError, errnoCode} from '../errors.js'
import {PLUGIN_TYPE} from '../project/plugin-types.js'
import {readProject} from '../project/project.js'
import {buildAndRegister, projectDeployTarget} from '../registration/deploy.js'
import type {VaultClient} from '../vault/client.js'
import {ensureVaultBinary} from '../vault/install/install.js'
import {projectServerStatus, startProjectServer, stopProjectServer} from '../vault/project-server.js'
import {renderMarkdown} from './markdown.js'
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
  if (project.pluginType === 'database') {
    throw new UserError('a database plugin has no HTTP paths of its own: Vault\'s database engine serves them', 'document its connection settings in the README; `plugin docs` is for secrets engines and auth methods')
  }
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
    const deployed = await buildAndRegister(target, project.dir, {path: options.path, onCompilerOutput: (text) => options.log(text)}).catch((error: unknown) => {
      checkpoint() // a build cut short by Ctrl-C says so, not that go failed
      throw error
    })
    checkpoint()
    const path = deployed.registered.path
    const mountPrefix = PLUGIN_TYPE[project.pluginType].requestPath(path)
    const doc = await mountOpenAPI(deployed.client, mountPrefix)
    const paths = documentedPaths(doc).length
    if (paths === 0) throw new UserError(`${project.binaryName} declares no paths at ${mountPrefix}/`, 'give its backend framework.Paths, then document it')
    const subject = {binaryName: project.binaryName, noun: PLUGIN_TYPE[project.pluginType].noun, name: project.name, mountPrefix}
    const text =
      options.format === 'json'
        ? `${JSON.stringify(mountDocument(doc, mountPrefix, {title: project.binaryName, version: project.version ?? '0.0.0', description: `The HTTP API of the ${project.name} ${subject.noun}.`}), null, 2)}\n`
        : renderMarkdown(doc, subject)
    const before = await readFile(file, 'utf8').catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined
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
  try {
    await mkdir(dirname(file), {recursive: true})
    await writeFile(partial, text)
    await rename(partial, file)
  } catch (error) {
    await rm(partial, {force: true})
    throw new UserError(`${file} cannot be written (${errnoCode(error) ?? String(error)})`, 'choose another --out, or make its folder writable')
  }
}

async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  const {createTwoFilesPatch} = await import('diff')
  return createTwoFilesPatch(file, `${file} (from the plugin)`, before, after, undefined, undefined, {context: 3})
}
