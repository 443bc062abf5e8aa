// `when` conditions of a manifest: a tiny expression language over the answers, parsed by hand (never
// eval'd) so a template can only compare answers, not run code.
//
//   expr    := or
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | '(' expr ')' | operand (('==' | '!=') operand)?
//   operand := identifier | 'text' | "text" | true | false

export type AnswerValue = string | boolean

export type Condition =
  | {op: 'answer'; name: string}
  | {op: 'literal'; value: AnswerValue}
  | {op: 'not'; operand: Condition}
  | {op: 'and' | 'or'; left: Condition; right: Condition}
  | {op: '==' | '!='; left: Condition; right: Condition}

const TOKEN = /\s*(?:(&&|\|\||==|!=|!|\(|\))|'([^']*)'|"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*))/y

type Token = {kind: 'op'; text: string} | {kind: 'string'; text: string} | {kind: 'name'; text: string}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break
    const at = TOKEN.lastIndex
    const match = TOKEN.exec(source)
    if (!match) throw new Error(`unexpected "${source.slice(at).trimStart().charAt(0)}" at column ${at + 1}`)
    if (match[1]) tokens.push({kind: 'op', text: match[1]})
    else if (match[4]) tokens.push({kind: 'name', text: match[4]})
    else tokens.push({kind: 'string', text: match[2] ?? match[3] ?? ''})
  }
  return tokens
}

/** Parses a condition; throws an Error that says what is wrong with it. */
export function parseCondition(source: string): Condition {
  const tokens = tokenize(source)
  let position = 0
  const peek = () => tokens[position]
  const isOp = (text: string) => peek()?.kind === 'op' && peek()?.text === text

  const operand = (): Condition => {
    const token = tokens[position++]
    if (!token) throw new Error('ends too early')
    if (token.kind === 'string') return {op: 'literal', value: token.text}
    if (token.kind === 'name') {
      if (token.text === 'true' || token.text === 'false') return {op: 'literal', value: token.text === 'true'}
      return {op: 'answer', name: token.text}
    }
    throw new Error(`unexpected "${token.text}"`)
  }
  const unary = (): Condition => {
    if (isOp('!')) {
      position++
      return {op: 'not', operand: unary()}
    }
    if (isOp('(')) {
      position++
      const inner = or()
      if (!isOp(')')) throw new Error('a "(" is not closed')
      position++
      return inner
    }
    const left = operand()
    if (isOp('==') || isOp('!=')) {
      const op = tokens[position++]!.text as '==' | '!='
      return {op, left, right: operand()}
    }
    return left
  }
  const and = (): Condition => {
    let left = unary()
    while (isOp('&&')) {
      position++
      left = {op: 'and', left, right: unary()}
    }
    return left
  }
  const or = (): Condition => {
    let left = and()
    while (isOp('||')) {
      position++
      left = {op: 'or', left, right: and()}
    }
    return left
  }

  if (tokens.length === 0) throw new Error('is empty')
  const condition = or()
  if (position < tokens.length) throw new Error(`unexpected "${tokens[position]!.text}"`)
  return condition
}

/** The answers a condition reads, to check they exist before anything is asked. */
export function answersRead(condition: Condition): string[] {
  switch (condition.op) {
    case 'answer':
      return [condition.name]
    case 'literal':
      return []
    case 'not':
      return answersRead(condition.operand)
    default:
      return [...answersRead(condition.left), ...answersRead(condition.right)]
  }
}

function value(condition: Condition, answers: Record<string, AnswerValue | undefined>): AnswerValue | undefined {
  switch (condition.op) {
    case 'answer':
      return answers[condition.name]
    case 'literal':
      return condition.value
    default:
      return evaluateCondition(condition, answers)
  }
}

/** True or false for these answers; an answer is true when it is `true` or a non-empty string. */
export function evaluateCondition(condition: Condition, answers: Record<string, AnswerValue | undefined>): boolean {
  switch (condition.op) {
    case 'not':
      return !evaluateCondition(condition.operand, answers)
    case 'and':
      return evaluateCondition(condition.left, answers) && evaluateCondition(condition.right, answers)
    case 'or':
      return evaluateCondition(condition.left, answers) || evaluateCondition(condition.right, answers)
    case '==':
      return value(condition.left, answers) === value(condition.right, answers)
    case '!=':
      return value(condition.left, answers) !== value(condition.right, answers)
    default: {
      const answer = value(condition, answers)
      return answer === true || (typeof answer === 'string' && answer !== '')
    }
  }
}

/** Parses and evaluates in one go, for conditions already checked when the manifest was read. */
export function holds(source: string | undefined, answers: Record<string, AnswerValue | undefined>): boolean {
  return source === undefined || evaluateCondition(parseCondition(source), answers)
}
