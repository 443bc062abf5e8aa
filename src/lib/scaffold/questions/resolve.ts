import {CancelledError, UserError} from '../../errors.js'
import {findKind} from '../../templates/kinds.js'
import type {ManifestQuestion} from '../../templates/manifest.js'
import type {AnswerValue} from '../../templates/when.js'
import {kindQuestion, QUESTIONS, typedExtras} from './table.js'
import type {Answers, CommonAnswers, GivenAnswers, Partial_, Question, QuestionContext} from './types.js'

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
