import {readFile} from 'node:fs/promises'

import {UserError, errnoCode} from '../errors.js'

export const PLUGIN_TYPES = ['secret', 'auth', 'database'] as const
export type PluginType = (typeof PLUGIN_TYPES)[number]

export const POST_STEPS = ['go-mod-tidy', 'git-init'] as const
export type PostStepName = (typeof POST_STEPS)[number]

/** template.json: what a kind is. Everything else about it lives in its files/ tree. */
export interface Manifest {
  name: string
  description: string
  pluginType: PluginType
  postSteps: PostStepName[]
}

const KIND_NAME = /^[a-z][a-z0-9-]*$/
const KNOWN_FIELDS = new Set(['$schema', 'name', 'description', 'pluginType', 'postSteps'])

/** Reads and validates a manifest; every error names the file and the field. */
export async function readManifest(file: string): Promise<Manifest> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new UserError(`${file} is missing`, 'a kind folder needs a template.json')
    throw error
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid JSON (${(error as Error).message})`, 'fix the syntax and try again')
  }
  return validateManifest(data, file)
}

export function validateManifest(data: unknown, file: string): Manifest {
  const fail = (field: string, problem: string) =>
    new UserError(`${file}: field "${field}" ${problem}`, 'see docs/templates.md for the manifest format')
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`${file} must hold a JSON object`, 'see docs/templates.md for the manifest format')
  }
  const record = data as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key)) throw fail(key, `is not a manifest field (known: ${[...KNOWN_FIELDS].join(', ')})`)
  }
  const {name, description, pluginType, postSteps = [...POST_STEPS]} = record
  if (typeof name !== 'string' || !KIND_NAME.test(name)) {
    throw fail('name', 'must be a lowercase word such as "secrets" (letters, digits, hyphens)')
  }
  if (typeof description !== 'string' || description.trim() === '') throw fail('description', 'must be a non-empty string')
  if (typeof pluginType !== 'string' || !(PLUGIN_TYPES as readonly string[]).includes(pluginType)) {
    throw fail('pluginType', `must be one of ${PLUGIN_TYPES.join(', ')}`)
  }
  if (!Array.isArray(postSteps) || postSteps.some((s) => !(POST_STEPS as readonly unknown[]).includes(s))) {
    throw fail('postSteps', `must be a list drawn from ${POST_STEPS.join(', ')}`)
  }
  return {name, description, pluginType: pluginType as PluginType, postSteps: postSteps as PostStepName[]}
}
