import {PLUGIN_TYPE, type PluginType} from '../project/plugin-types.js'
import {type SmokeCall, substitute, substituteDeep} from '../templates/smoke-spec.js'
import type {DeclaredSmoke} from './smoke-source.js'

/** Stands in for `${random}` in commands a user types: a value they can see and type again. */
const SHOWN_SECRET = 'changeme'

/**
 * The commands `plugin dev` prints to try the plugin from another terminal: the kind's smoke requests as
 * `vault` commands, then the last one as curl, so every printed line works as printed. A kind without a
 * smoke gets `vault path-help`, which any mount answers.
 */
export function tryCommands(declared: DeclaredSmoke | undefined, values: {type: PluginType; path: string; name: string}, vault: string): string[] {
  const requests = declared?.smoke?.requests ?? []
  if (requests.length === 0) return [`${vault} path-help ${PLUGIN_TYPE[values.type].requestPath(values.path)}`]
  const fill = (name: string) => (name === 'random' ? SHOWN_SECRET : (values as Record<string, string>)[name] ?? '')
  const calls = requests.map((call) => ({
    method: call.method,
    path: substitute(call.path, fill),
    body: call.body === undefined ? undefined : (substituteDeep(call.body, fill) as Record<string, unknown>),
  }))
  return [...calls.map((call) => vaultCommand(call, vault)), curlCommand(calls.at(-1)!)]
}

type FilledCall = Pick<SmokeCall, 'method' | 'path' | 'body'>

const VERB = {GET: 'read', LIST: 'list', DELETE: 'delete', POST: 'write', PUT: 'write'} as const

/** `vault write p k=v ...`; a body with lists or objects goes in as JSON on stdin (`-`). */
function vaultCommand({method, path, body}: FilledCall, vault: string): string {
  const [bare, query] = path.split('?', 2)
  const args = [...new URLSearchParams(query ?? '')].map(([key, value]) => `${key}=${value}`)
  const entries = Object.entries(body ?? {})
  if (entries.some(([, value]) => typeof value === 'object' && value !== null)) {
    return `echo ${shellQuote(JSON.stringify(body))} | ${vault} ${VERB[method]} ${bare} -`
  }
  args.push(...entries.map(([key, value]) => `${key}=${String(value)}`))
  return [vault, VERB[method], bare, ...args.map(shellQuote)].join(' ')
}

function curlCommand({method, path, body}: FilledCall): string {
  const url = `$VAULT_ADDR/v1/${method === 'LIST' ? `${path}${path.includes('?') ? '&' : '?'}list=true` : path}`
  const verb = method === 'LIST' || method === 'GET' ? [] : ['-X', method]
  const data = body === undefined ? [] : ['-d', shellQuote(JSON.stringify(body))]
  return ['curl -s -H "X-Vault-Token: $VAULT_TOKEN"', ...verb, ...data, `"${url}"`].join(' ')
}

/** As typed into sh: plain words stay bare, anything else single-quoted. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}
