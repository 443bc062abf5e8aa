import {CancelledError, UserError} from './errors.js'
import {defaultModulePath, pluginNames, TYPE_NOUN, validateModulePath, validatePluginName} from './names.js'
import type {Kind} from './templates/kinds.js'

export interface Answers {
  type: string
  name: string
  module: string
  version: string
  description: string
  dir: string
}

export interface QuestionContext {
  kinds: Kind[]
}

type Partial_ = Partial<Answers>

export interface Question {
  key: keyof Answers
  /** How the user passes it on the command line; named in errors. */
  flag: string
  message: string
  /** `false`: never asked; taken from the flag or derived. */
  prompt: 'input' | 'select' | false
  /** Without a terminal and without --yes, a missing answer is an error instead of its default. */
  required: boolean
  default: (answers: Partial_, ctx: QuestionContext) => string | undefined
  /** Why a value is refused, or undefined. */
  validate: (value: string, answers: Partial_, ctx: QuestionContext) => string | undefined
  normalize?: (value: string) => string
  choices?: (ctx: QuestionContext) => {value: string; name: string; description: string}[]
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
      return names && `The ${names.name} ${TYPE_NOUN[pluginTypeOf(answers, ctx)]} for HashiCorp Vault`
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
  given: Partial_,
  options: ResolveOptions,
  ctx: QuestionContext,
  ask: Ask = askInTerminal,
): Promise<Answers> {
  const answers: Partial_ = {}
  for (const question of QUESTIONS) {
    let value = given[question.key]
    const fallback = () => question.default(answers, ctx)
    if (value === undefined) {
      if (question.prompt === false || (!options.interactive && !question.required)) value = fallback()
      else if (options.yes) value = fallback()
      else if (options.interactive) value = await ask(question, fallback(), answers, ctx)
      if (value === undefined) throw missingAnswer(question, ctx)
    }
    value = question.normalize ? question.normalize(value) : value
    const problem = question.validate(value, answers, ctx)
    if (problem) throw new UserError(problem)
    answers[question.key] = value
  }
  return answers as Answers
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
  const {input, select} = await import('@inquirer/prompts')
  try {
    if (question.prompt === 'select' && question.choices) {
      return await select({message: question.message, choices: question.choices(ctx), default: defaultValue})
    }
    return await input({
      message: question.message,
      default: defaultValue,
      validate: (value) => question.validate(question.normalize?.(value) ?? value, answers, ctx) ?? true,
    })
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new CancelledError()
    throw error
  }
}
