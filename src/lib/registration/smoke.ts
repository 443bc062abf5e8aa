import {randomBytes} from 'node:crypto'

import {UserError} from '../errors.js'
import type {PluginProject} from '../project/project.js'
import {msSince} from '../timing.js'
import {VaultError, type VaultClient} from '../vault/client.js'
import {
  fieldAt,
  parseFieldPath,
  type RequestValues,
  type SmokeCall,
  type SmokeDeclaration,
  substitute,
  substituteDeep,
} from '../templates/smoke-spec.js'
import {expectationFailure, Secrets, showAnswer} from './smoke-answer.js'
import {projectSmoke} from './smoke-source.js'

export interface SmokeResult {
  /** `GET hello/hello`: the last request sent; absent when the kind declares none. */
  request?: string
  /** What it answered, as the kind's `show` says; or why no request was sent. */
  answer: string
  ms: number
}

/** One line: `GET hello/hello -> Hello, ...`, or why there was no smoke request. */
export const describeSmoke = (smoke: SmokeResult) => (smoke.request === undefined ? smoke.answer : `${smoke.request} -> ${smoke.answer}`)

/** The smoke requests of the project's kind, through Vault's HTTP API, against the plugin mounted at `path`. */
export async function smokeTest(client: VaultClient, project: PluginProject, path: string): Promise<SmokeResult> {
  const started = performance.now()
  const declared = projectSmoke(project.dir)
  if (declared.smoke === undefined || declared.smoke.requests.length === 0) return {answer: `no smoke request: ${declared.none}`, ms: msSince(started)}
  const {request, answer} = await runSmoke(client, declared.smoke, {path, name: project.name}, declared.file)
  return {request, answer, ms: msSince(started)}
}

/**
 * Sends the declared requests in order, each retried once after its setup requests when it answers as the
 * setup says, checks what each must answer, and shows the last answer. Every lease and token an answer
 * carries is revoked afterwards, whatever happened; the random value and secret fields are never shown.
 */
export async function runSmoke(client: VaultClient, smoke: SmokeDeclaration, given: Omit<RequestValues, 'random'>, file: string): Promise<{request: string; answer: string}> {
  const values: RequestValues = {...given, random: randomBytes(18).toString('base64url')}
  const secrets = new Secrets([values.random])
  const created: Created[] = []

  const send = async (call: SmokeCall, at: string) => {
    const path = substitute(call.path, (name) => values[name as keyof RequestValues])
    const label = secrets.hide(`${call.method} ${path}`)
    const body = call.body === undefined ? undefined : substituteDeep(call.body, (name) => values[name as keyof RequestValues])
    let answer: Record<string, unknown> | undefined
    try {
      // Vault takes LIST as GET with list=true; not every HTTP stack sends a LIST method.
      answer = await client.request(call.method === 'LIST' ? 'GET' : call.method, call.method === 'LIST' ? `${path}${path.includes('?') ? '&' : '?'}list=true` : path, body)
    } catch (error) {
      // Vault may echo a request back: the random value must not reach the screen through its error.
      if (error instanceof VaultError) error.message = secrets.hide(error.message)
      throw error
    }
    secrets.collect(answer)
    const lease = answer?.lease_id
    if (typeof lease === 'string' && lease !== '') created.push({kind: 'lease', id: lease, label})
    const token = fieldAt(answer, ['auth', 'client_token'])
    if (typeof token === 'string' && token !== '') created.push({kind: 'token', id: token, label})
    for (const [field, expectation] of Object.entries(call.expect ?? {})) {
      const problem = expectationFailure(answer, parseFieldPath(field)!, expectation, secrets)
      if (problem) throw new UserError(`Smoke request ${label} answered, but ${field} ${problem}`, `fix the plugin, or field "${at}/expect/${field}" of ${file}`)
    }
    return {label, answer}
  }

  let last: {label: string; answer: Record<string, unknown> | undefined} | undefined
  try {
    for (const [index, request] of smoke.requests.entries()) {
      const at = `smoke/requests/${index}`
      try {
        last = await send(request, at)
      } catch (error) {
        const setup = request.setup
        if (!(setup && error instanceof VaultError && error.status === setup.status)) throw error
        if (setup.error !== undefined && !new RegExp(setup.error, 'u').test(error.errors.join('; '))) throw error
        for (const [n, call] of setup.requests.entries()) await send(call, `${at}/setup/requests/${n}`)
        last = await send(request, at)
      }
    }
  } catch (error) {
    await revoke(client, created, secrets, true)
    throw error
  }
  const revoked = await revoke(client, created, secrets, false)
  const shown = showAnswer(last!.answer, smoke.show, values, secrets)
  return {request: last!.label, answer: revoked === 0 ? shown : `${shown}, then revoked ${revoked === 1 ? 'it' : `all ${revoked}`}`}
}

interface Created {
  kind: 'lease' | 'token'
  id: string
  /** The request whose answer carried it. */
  label: string
}

/**
 * A lease whose backend has nothing to revoke (a stored secret read with a TTL, as KV version 1 answers
 * under any mount type but Vault's own kv) refuses a revocation; it is then only removed from Vault's records.
 */
async function revokeLease(client: VaultClient, id: string): Promise<void> {
  try {
    await client.post('sys/leases/revoke', {lease_id: id})
  } catch (error) {
    if (!(error instanceof UserError) || !/secret is unsupported by this backend/.test(error.message)) throw error
    await client.post(`sys/leases/revoke-force/${id}`)
  }
}

/**
 * Revokes what the smoke created, newest first, every one even when one fails. After a failed smoke its own
 * error is the one reported, so failed revocations are passed over; after a good one the first failure fails
 * the smoke, counting any others. Returns how many were revoked.
 */
async function revoke(client: VaultClient, created: Created[], secrets: Secrets, afterFailure: boolean): Promise<number> {
  let count = 0
  const failed: Array<{item: Created; error: UserError}> = []
  for (const item of created.toReversed()) {
    try {
      if (item.kind === 'lease') await revokeLease(client, item.id)
      else await client.post('auth/token/revoke', {token: item.id})
      count++
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      failed.push({item, error})
    }
  }
  const [first, ...others] = failed
  if (first && !afterFailure) {
    const more = others.length === 0 ? '' : `; ${others.length} more could not be revoked either`
    throw new UserError(`Revoking the ${first.item.kind} that ${first.item.label} made failed: ${secrets.hide(first.error.message)}${more}`, 'revoke it by hand, or check the token may revoke leases')
  }
  return count
}
