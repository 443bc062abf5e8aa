import {UserError} from '../errors.js'
import {readJsonFile} from '../json-file.js'
import type {PluginType} from '../project/plugin-types.js'
import {firstProblem} from './schema.js'
import {checkSmoke, type SmokeDeclaration} from './smoke-spec.js'
import {answersRead, type AnswerValue, parseCondition} from './when.js'

export const POST_STEPS = ['go-mod-tidy', 'git-init'] as const
export type PostStepName = (typeof POST_STEPS)[number]

export const QUESTION_TYPES = ['string', 'choice', 'confirm'] as const

export interface ManifestQuestion {
  name: string
  type: (typeof QUESTION_TYPES)[number]
  message: string
  default?: AnswerValue
  /** string questions: a regular expression the whole answer must match. */
  pattern?: string
  /** choice questions. */
  choices?: string[]
  /** A condition over earlier answers (see when.ts); when false the question is not asked. */
  when?: string
}

/** A file or folder of any layer, kept only when its condition holds. */
export interface ConditionalFile {
  path: string
  when: string
}

/** The author's own command: run only with --trust. */
export interface AuthorCommand {
  run: string
  when?: string
}

/** template.json: what a kind is. Everything else about it lives in its files/ tree. */
export interface Manifest {
  name: string
  description: string
  /** The kind's own version, recorded in the projects made from it (see origin.ts). */
  version?: string
  pluginType: PluginType
  /** A built-in kind whose files lie between common and this kind's. */
  extends?: string
  questions: ManifestQuestion[]
  files: ConditionalFile[]
  postSteps: PostStepName[]
  commands: AuthorCommand[]
  /** The requests made after each reload; absent: those of the kind it extends, if any (see smoke-spec.ts). */
  smoke?: SmokeDeclaration
}

/**
 * Values every template already has (and the common questions' keys): a question may not reuse them, or
 * it would shadow what the files rely on.
 */
export const RESERVED_ANSWER_NAMES = new Set([
  'answers', 'binaryName', 'description', 'dir', 'go', 'goPackage', 'kind', 'module', 'name', 'pluginType', 'type',
  'typeNoun', 'version',
])

const HINT = 'see docs/templates.md for the manifest format'

/**
 * Reads and validates a manifest; every error names the file and the field. `builtin`: shipped with vaultkit,
 * whose tests check it against the schema, so the schema walk is skipped on the way to every `plugin new`.
 */
export function readManifest(file: string, {builtin = false} = {}): Manifest {
  const data = readJsonFile(file)
  if (data === undefined) throw new UserError(`${file} is missing`, 'a kind folder needs a template.json')
  return validateManifest(data, file, {schema: !builtin})
}

export function manifestError(file: string, field: string, problem: string): UserError {
  return new UserError(`${file}: field "${field}" ${problem}`, HINT)
}

/** The schema first, then what a schema cannot say: patterns compile, defaults fit, conditions parse, smoke placeholders exist. */
export function validateManifest(data: unknown, file: string, {schema = true} = {}): Manifest {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UserError(`${file} must hold a JSON object`, HINT)
  const broken = schema ? firstProblem(data) : undefined
  if (broken) throw manifestError(file, broken.field, broken.problem)
  const raw = data as Partial<Manifest>
  const manifest: Manifest = {
    name: raw.name!,
    description: raw.description!,
    ...(raw.version === undefined ? {} : {version: raw.version}),
    pluginType: raw.pluginType!,
    ...(raw.extends === undefined ? {} : {extends: raw.extends}),
    questions: raw.questions ?? [],
    files: raw.files ?? [],
    postSteps: raw.postSteps ?? [...POST_STEPS],
    commands: raw.commands ?? [],
    ...(raw.smoke === undefined ? {} : {smoke: raw.smoke}),
  }
  const fail = (field: string, problem: string) => manifestError(file, field, problem)
  if (manifest.extends === manifest.name) throw fail('extends', 'names the kind itself')

  const asked: string[] = []
  for (const [index, question] of manifest.questions.entries()) {
    const at = `questions/${index}`
    if (RESERVED_ANSWER_NAMES.has(question.name)) throw fail(`${at}/name`, `"${question.name}" is a value every kind has: choose another name`)
    if (asked.includes(question.name)) throw fail(`${at}/name`, `"${question.name}" is asked twice`)
    if (question.pattern !== undefined) {
      let pattern: RegExp
      try {
        pattern = new RegExp(question.pattern, 'u')
      } catch (error) {
        throw fail(`${at}/pattern`, `is not a valid regular expression (${(error as Error).message})`)
      }
      if (typeof question.default === 'string' && !fullMatch(pattern, question.default)) {
        throw fail(`${at}/default`, `"${question.default}" does not match the question's pattern ${question.pattern}`)
      }
    }
    if (question.choices && typeof question.default === 'string' && !question.choices.includes(question.default)) {
      throw fail(`${at}/default`, `"${question.default}" is not one of its choices (${question.choices.join(', ')})`)
    }
    checkCondition(question.when, `${at}/when`, asked, fail, 'an earlier question')
    asked.push(question.name)
  }
  for (const [index, entry] of manifest.files.entries()) checkCondition(entry.when, `files/${index}/when`, asked, fail, 'a question')
  for (const [index, entry] of manifest.commands.entries()) checkCondition(entry.when, `commands/${index}/when`, asked, fail, 'a question')
  checkSmoke(manifest.smoke, fail)
  return manifest
}

function checkCondition(source: string | undefined, field: string, known: string[], fail: (field: string, problem: string) => UserError, what: string) {
  if (source === undefined) return
  let names: string[]
  try {
    names = answersRead(parseCondition(source))
  } catch (error) {
    throw fail(field, `"${source}" is not a condition: ${(error as Error).message} (write e.g. withCreds, !withCreds, storage == 'redis')`)
  }
  const unknown = names.find((name) => !known.includes(name))
  if (unknown) throw fail(field, `reads "${unknown}", which is not ${what}${known.length ? ` (${known.join(', ')})` : ''}`)
}

/** A question's pattern must match the whole answer, as an HTML pattern attribute does. */
export function fullMatch(pattern: RegExp, value: string): boolean {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags).test(value)
}
