import {UserError} from '../../errors.js'
import {defaultModulePath, pluginNames, validateModulePath, validatePluginName} from '../names.js'
import {PLUGIN_TYPE} from '../../project/plugin-types.js'
import {kindName} from '../../templates/kinds.js'
import {fullMatch, type ManifestQuestion} from '../../templates/manifest.js'
import {type AnswerValue, holds} from '../../templates/when.js'
import type {Partial_, Question, QuestionContext} from './types.js'

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
export function typedExtras(questions: ManifestQuestion[], answers: Partial_): Record<string, AnswerValue> {
  const typed: Record<string, AnswerValue> = {}
  for (const [key, value] of Object.entries(answers)) {
    if (value === undefined) continue
    typed[key] = questions.find((q) => q.name === key)?.type === 'confirm' ? value === 'true' : value
  }
  return typed
}
