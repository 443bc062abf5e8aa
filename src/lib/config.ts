import {homedir} from 'node:os'
import {join} from 'node:path'

import {UserError} from './errors.js'
import {readJsonFile} from './json-file.js'

/** ~/.config/vaultkit/config.json, or under $XDG_CONFIG_HOME. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vaultkit', 'config.json')
}

/** One string field of the config file, undefined when the file or the field is absent. */
export function configString(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = configFile(env)
  const value = (readJsonFile(file) as Record<string, unknown> | undefined | null)?.[key]
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new UserError(`${file}: field "${key}" must be a non-empty string`, `fix or remove "${key}" in that file`)
  }
  return value
}
