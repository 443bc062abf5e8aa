import {readFileSync} from 'node:fs'

import {CancelledError, UserError} from './errors.js'
import {defaultModulePath, pluginNames, validateModulePath, validatePluginName} from './names.js'
import {PLUGIN_TYPE} from './plugin-types.js'
import {findKind, type Kind, kindName} from './templates/kinds.js'
import {fullMatch, type ManifestQuestion} from './templates/manifest.js'
import {type AnswerValue, holds} from './templates/when.js'

export type {AnswerValue} from './templates/when.js'

export interface CommonAnswers {
  type: string
  name: string
  module: string
  version: string
  description: string
  dir: string
}

export interface Answers extends CommonAnswers {
  /** Answers to the kind's own questions (template.json), by question name. */
  extra: Record<string, AnswerValue>
}

/** What flags (or an answers file) gave; `extra` holds `--answer KEY=VALUE` pairs. */
export interface GivenAnswers extends Partial<CommonAnswers> {
  extra?: Record<string, AnswerValue>
  /** The answers file each answer not given by a flag came from, by key: messages name it. */
  from?: Record<string, string>
}

export interface QuestionContext {
  kinds: Kind[]
}

type Partial_ = Partial<CommonAnswers> & Record<string, string | undefined>

export interface Question {
  key: string
  /** How the user passes it on the command line; named in errors. */
  flag: string
  message: string
  /** `false`: never asked; taken from the flag or derived. */
  prompt: 'input' | 'select' | 'confirm' | false
  /** Without a terminal and without --yes, a missing answer is an error instead of its default. */
  required: boolean
  default: (answers: Partial_, ctx: QuestionContext) => string | undefined
  /** Why a value is refused, or undefined. */
  validate: (value: string, answers: Partial_, ctx: QuestionContext) => string | undefined
  normalize?: (value: string, ctx: QuestionContext) => string
  choices?: (ctx: QuestionContext) => {value: string; name: string; description?: string}[]
  /** A kind's question: asked only when its condition over earlier answers holds. */
  when?: (answers: Partial_) => boolean
  /** A kind's question without a default: the error when nothing answers it. */
  missing?: (yes: boolean) => UserError
}

const pluginTypeOf = (answers: Partial_, ctx: QuestionContext) =>
  ctx.kinds.find((k) => k.manifest.name === answers.type)?.manifest.pluginType ?? 'secret'

const namesOf = (answers: Partial_, ctx: QuestionContext) =>
  answers.name === undefined ? undefined : pluginNames(answers.name, pluginTypeOf(answers, ctx))

// semver.org's own pattern: what hashicorp/go-version, and so Vault, accepts as a plugin version.
const IDENT = String.raw`(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)`
const SEMVER = new RegExp(String.raw`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-${IDENT}(?:\.${IDENT})*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)

/** One table for flags and prompts, in the order they are resolved; later questions derive from earlier answers. */
export const QUESTIONS: Question[] = [
  {
    key: 'type',
    flag: '--type',
    message: 'What kind of plugin?',
    prompt: 'select',
    required: true,
    default: (_a, ctx) => (ctx.kinds.some((k) => k.manifest.name === 'secrets') ? 'secrets' : ctx.kinds[0]?.manifest.name),
    validate: (value, _a, ctx) =>
      ctx.kinds.some((k) => k.manifest.name === value)
        ? undefined
        : `There is no "${value}" kind: pass --type ${ctx.kinds.map((k) => k.manifest.name).join('|')}`,
    normalize: (value, ctx) => kindName(ctx.kinds, value.trim()),
    choices: (ctx) =>
      ctx.kinds.map((k) => ({value: k.manifest.name, name: k.manifest.name, description: k.manifest.description})),
  },
  {
    key: 'name',
    flag: 'NAME',
    message: 'Plugin name?',
    prompt: 'input',
    required: true,
    default: () => undefined,
    validate: (value, answers, ctx) => validatePluginName(value, pluginTypeOf(answers, ctx)),
    normalize: (value) => value.trim(),
  },
  {
    key: 'module',
    flag: '--module',
    message: 'Go module path?',
    prompt: 'input',
    required: false,
    default: (answers, ctx) => {
      const names = namesOf(answers, ctx)
      return names && defaultModulePath(names.binaryName)
    },
    validate: validateModulePath,
    normalize: (value) => value.trim(),
  },
  {
    key: 'description',
    flag: '--description',
    message: 'One-line description?',
    prompt: 'input',
    required: false,
    default: (answers, ctx) => {
      const names = namesOf(answers, ctx)
      return names && `The ${names.name} ${PLUGIN_TYPE[pluginTypeOf(answers, ctx)].noun} for HashiCorp Vault`
    },
    validate: (value) => {
      if (value.trim() === '') return 'The description is empty: pass a short sentence with --description'
      if (/[\r\n]/.test(value)) return 'The description has a line break: pass a single line with --description'
      if (value.length > 200) return `The description is ${value.length} characters long: keep it to 200 or fewer`
      return undefined
    },
    normalize: (value) => value.trim(),
  },
  {
    key: 'version',
    flag: '--plugin-version',
    message: 'First version?',
    prompt: false,
    required: false,
    default: () => '0.1.0',
    validate: (value) =>
      SEMVER.test(value) ? undefined : `"${value}" is not a semantic version: pass --plugin-version such as 0.1.0`,
    normalize: (value) => value.trim().replace(/^v/, ''),
  },
  {
    key: 'dir',
    flag: '--dir',
    message: 'Directory?',
    prompt: false,
    required: false,
    default: (answers, ctx) => namesOf(answers, ctx)?.binaryName,
    validate: (value) => (value.trim() === '' ? 'The directory is empty: pass --dir with a path' : undefined),
  },
]

export interface ResolveOptions {
  /** Take every default instead of asking. */
  yes: boolean
  /** Prompts may be shown (a terminal, and not --no-interactive or --json). */
  interactive: boolean
}

export type Ask = (question: Question, defaultValue: string | undefined, answers: Partial_, ctx: QuestionContext) => Promise<string>

/** flag -> derived -> --yes default -> prompt; with no terminal a required answer must come from its flag. */
export async function resolveAnswers(
  given: GivenAnswers,
  options: ResolveOptions,
  ctx: QuestionContext,
  ask: Ask = askInTerminal,
): Promise<Answers> {
  const answers: Partial_ = {}
  const from = given.from ?? {}
  await resolveTable(QUESTIONS, given as Partial_, answers, options, ctx, ask, from)
  const kindQuestions = findKind(ctx.kinds, answers.type!).manifest.questions
  const extraGiven = checkGivenExtras(given.extra ?? {}, kindQuestions, answers.type!, from)
  const extraAnswers: Partial_ = {}
  await resolveTable(kindQuestions.map((q) => kindQuestion(q, answers.type!, kindQuestions)), extraGiven, extraAnswers, options, ctx, ask, from)
  return {...(answers as unknown as CommonAnswers), extra: typedExtras(kindQuestions, extraAnswers)}
}

async function resolveTable(
  questions: Question[],
  given: Partial_,
  answers: Partial_,
  options: ResolveOptions,
  ctx: QuestionContext,
  ask: Ask,
  from: Record<string, string>,
) {
  for (const question of questions) {
    let value = given[question.key]
    const fallback = () => question.default(answers, ctx)
    if (question.when && !question.when(answers)) {
      // Not asked; templates still see a value (strict rendering refuses missing ones).
      answers[question.key] = fallback() ?? (question.prompt === 'confirm' ? 'false' : '')
      continue
    }
    if (value === undefined) {
      if (question.prompt === false || (!options.interactive && !question.required)) value = fallback()
      else if (options.yes) value = fallback()
      else if (options.interactive) value = await ask(question, fallback(), answers, ctx)
      if (value === undefined) throw question.missing?.(options.yes) ?? missingAnswer(question, ctx)
    }
    value = question.normalize ? question.normalize(value, ctx) : value
    const problem = question.validate(value, answers, ctx)
    if (problem) throw new UserError(from[question.key] ? `${from[question.key]}: answer "${question.key}": ${problem}` : problem)
    answers[question.key] = value
  }
}

const BOOLEAN_WORDS: Record<string, string> = {true: 'true', yes: 'true', y: 'true', false: 'false', no: 'false', n: 'false'}

/** One of the kind's own questions (template.json), in the shape of the table's. */
export function kindQuestion(question: ManifestQuestion, kind: string, all: ManifestQuestion[]): Question {
  const flag = `--answer ${question.name}=`
  const pattern = question.pattern === undefined ? undefined : new RegExp(question.pattern, 'u')
  return {
    key: question.name,
    flag: `--answer ${question.name}`,
    message: question.message,
    prompt: question.type === 'string' ? 'input' : question.type === 'choice' ? 'select' : 'confirm',
    required: question.default === undefined,
    default: () => (question.default === undefined ? undefined : String(question.default)),
    normalize: (value) => (question.type === 'confirm' ? (BOOLEAN_WORDS[value.trim().toLowerCase()] ?? value) : value),
    validate: (value) => {
      if (question.type === 'confirm' && value !== 'true' && value !== 'false') return `"${value}" does not answer "${question.name}" (yes or no): pass ${flag}true or ${flag}false`
      if (question.choices && !question.choices.includes(value)) return `"${value}" is not a choice of "${question.name}": pass ${flag}${question.choices.join('|')}`
      if (pattern && !fullMatch(pattern, value)) return `"${value}" does not answer "${question.name}": it must match ${question.pattern}`
      return undefined
    },
    choices: question.choices && (() => question.choices!.map((choice) => ({value: choice, name: choice}))),
    when: question.when === undefined ? undefined : (answers) => holds(question.when, typedExtras(all, answers)),
    missing: (yes) =>
      new UserError(
        `${yes ? '--yes cannot answer' : 'Nothing answers'} "${question.name}": the ${kind} kind gives it no default`,
        `pass ${flag}${question.choices ? question.choices.join('|') : '<value>'}`,
      ),
  }
}

/** Confirm answers are kept as "true"/"false" while asking; templates and conditions get booleans. */
function typedExtras(questions: ManifestQuestion[], answers: Partial_): Record<string, AnswerValue> {
  const typed: Record<string, AnswerValue> = {}
  for (const [key, value] of Object.entries(answers)) {
    if (value === undefined) continue
    typed[key] = questions.find((q) => q.name === key)?.type === 'confirm' ? value === 'true' : value
  }
  return typed
}

/** Every given answer must belong to one of the kind's questions; a typo is an error, not silence. */
function checkGivenExtras(given: Record<string, AnswerValue>, questions: ManifestQuestion[], kind: string, from: Record<string, string>): Partial_ {
  const strings: Partial_ = {}
  for (const [key, value] of Object.entries(given)) {
    if (!questions.some((q) => q.name === key)) {
      const known = questions.length ? `its questions are ${questions.map((q) => q.name).join(', ')}` : 'it asks no questions of its own'
      const where = from[key] ? `${from[key]}: answer "${key}"` : `--answer ${key}`
      throw new UserError(`${where}: the ${kind} kind has no question "${key}"`, known)
    }
    strings[key] = String(value)
  }
  return strings
}

/** `--answer key=value` flags as a map; the value may hold "=". */
export function parseAnswerFlags(pairs: string[] = []): Record<string, string> {
  const answers: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UserError(`--answer ${pair} is not KEY=VALUE`, 'pass e.g. --answer withCreds=false')
    answers[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return answers
}

function missingAnswer(question: Question, ctx: QuestionContext): UserError {
  if (question.flag === 'NAME') {
    return new UserError('The plugin name is missing', 'pass it as NAME, e.g. `vaultkit plugin new hello`')
  }
  const values = question.choices ? ` ${question.choices(ctx).map((c) => c.value).join('|')}` : ''
  return new UserError(`${question.flag} is missing`, `pass ${question.flag}${values}, or --yes to take the default`)
}

/** Asks in the terminal with @inquirer/prompts, loaded only when a prompt is needed. */
export const askInTerminal: Ask = async (question, defaultValue, answers, ctx) => {
  const {confirm, input, select} = await import('@inquirer/prompts')
  try {
    if (question.prompt === 'select' && question.choices) {
      return await select({message: question.message, choices: question.choices(ctx), default: defaultValue})
    }
    if (question.prompt === 'confirm') return String(await confirm({message: question.message, default: defaultValue === 'true'}))
    return await input({
      message: question.message,
      default: defaultValue,
      validate: (value) => question.validate(question.normalize?.(value, ctx) ?? value, answers, ctx) ?? true,
    })
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new CancelledError()
    throw error
  }
}

// The common answers an answers file may set, by the file's key; "version" is the plugin's version.
const FILE_KEYS = new Set(['name', 'type', 'module', 'version', 'description', 'dir'])
// Flag names someone may write in a file for a common answer, and the key the file uses.
const FLAG_NAMES: Record<string, string> = {'plugin-version': 'version', output: 'dir'}
const EXAMPLE = '{"name": "hello", "withCreds": false}'

/**
 * A JSON answers file: {"name": "hello", "withCreds": false}. Common answers by their names, every other key
 * for the kind's questions. `decided` names common keys the caller sets itself, with why, to refuse them.
 */
export function readAnswersFile(file: string, decided: Record<string, string> = {}): GivenAnswers {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const why = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`
    throw new UserError(`The answers file ${file} ${why}`, `pass --answers a JSON object such as ${EXAMPLE}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UserError(`The answers file ${file} must hold a JSON object`, `such as ${EXAMPLE}`)
  const given: GivenAnswers = {extra: {}, from: {}}
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new UserError(`${file}: answer "${key}" must be a string or true/false`, 'fix the answers file')
    if (key in decided) throw new UserError(`${file}: "${key}" is not an answer to give here: ${decided[key]}`, `remove "${key}" from the answers file`)
    if (FLAG_NAMES[key]) throw new UserError(`${file}: "${key}" is a flag's name`, `the answers file calls it "${FLAG_NAMES[key]}"`)
    if (FILE_KEYS.has(key)) {
      if (typeof value !== 'string') throw new UserError(`${file}: answer "${key}" must be a string`, 'put it in quotes')
      given[key as keyof CommonAnswers] = value
    } else given.extra![key] = value
    given.from![key] = file
  }
  return given
}

/** Flags win over an answers file, answer by answer; `--answer` pairs over the file's own extras. */
export function mergeGiven(file: GivenAnswers, flags: GivenAnswers): GivenAnswers {
  const merged: GivenAnswers = {...file, from: {...file.from}}
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || key === 'extra' || key === 'from') continue
    merged[key as keyof CommonAnswers] = value as string
    delete merged.from![key]
  }
  for (const key of Object.keys(flags.extra ?? {})) delete merged.from![key]
  merged.extra = {...file.extra, ...flags.extra}
  return merged
}
