import {readFileSync} from 'node:fs'

import {UserError, errnoCode} from './errors.js'

/** A JSON file vaultkit reads from the user (a manifest, its config): undefined when it does not exist. */
export function readJsonFile(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid JSON (${(error as Error).message})`, 'fix the syntax and try again')
  }
}
