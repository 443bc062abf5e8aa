import type {UserError} from '../../errors.js'
import type {Kind} from '../../templates/kinds.js'
import type {AnswerValue} from '../../templates/when.js'

export type {AnswerValue} from '../../templates/when.js'

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

export type Partial_ = Partial<CommonAnswers> & Record<string, string | undefined>

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
