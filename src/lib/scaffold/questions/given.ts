import {readFileSync} from 'node:fs'

import {UserError} from '../../errors.js'
import type {CommonAnswers, GivenAnswers} from './types.js'

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
