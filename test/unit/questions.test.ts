import {describe, expect, test, vi} from 'vitest'

import {CancelledError} from '../../src/lib/errors.js'
import {type Ask, resolveAnswers} from '../../src/lib/scaffold/questions/resolve.js'
import {QUESTIONS} from '../../src/lib/scaffold/questions/table.js'
import {listKinds} from '../../src/lib/templates/kinds.js'

const ctx = {kinds: listKinds()}
const noAsk: Ask = async (question) => {
  throw new Error(`asked ${question.key}`)
}

describe('resolveAnswers', () => {
  test('flags alone give every answer, derived ones included', async () => {
    const answers = await resolveAnswers({name: 'hello', type: 'secrets'}, {yes: false, interactive: false}, ctx, noAsk)
    expect(answers).toEqual({
      type: 'secrets',
      name: 'hello',
      module: 'example.com/vault-plugin-secrets-hello',
      description: 'The hello secrets engine for HashiCorp Vault',
      version: '0.1.0',
      dir: 'vault-plugin-secrets-hello',
      extra: {},
    })
  })

  test('--yes takes the default kind', async () => {
    const answers = await resolveAnswers({name: 'hello'}, {yes: true, interactive: false}, ctx, noAsk)
    expect(answers.type).toBe('secrets')
  })

  test.each([
    [{name: 'hello'}, {message: '--type is missing', hint: 'pass --type auth|database|secrets, or --yes to take the default'}],
    [{type: 'secrets'}, {message: 'The plugin name is missing', hint: 'pass it as NAME, e.g. `vaultkit plugin new hello`'}],
  ])('without a terminal or --yes, a required answer names its flag (%j)', async (given, error) => {
    await expect(resolveAnswers(given, {yes: false, interactive: false}, ctx, noAsk)).rejects.toMatchObject(error)
  })

  test('--yes cannot invent a name', async () => {
    await expect(resolveAnswers({}, {yes: true, interactive: false}, ctx, noAsk)).rejects.toThrow(/plugin name is missing/)
  })

  test('a flag value is validated like a typed one', async () => {
    const given = {name: 'hello', type: 'secrets', version: 'one'}
    await expect(resolveAnswers(given, {yes: true, interactive: false}, ctx, noAsk)).rejects.toThrow(/not a semantic version/)
  })

  test('a version given with a v is stored without it', async () => {
    const answers = await resolveAnswers({name: 'hello', type: 'secrets', version: 'v1.2.3'}, {yes: true, interactive: false}, ctx)
    expect(answers.version).toBe('1.2.3')
  })

  test('in a terminal, only the missing answers are asked, in table order, with derived defaults', async () => {
    const ask = vi.fn<Ask>(async (question, defaultValue) => (question.key === 'name' ? 'vault-plugin-secrets-demo' : defaultValue!))
    const answers = await resolveAnswers({type: 'secrets'}, {yes: false, interactive: true}, ctx, ask)
    expect(ask.mock.calls.map(([q, d]) => [q.key, d])).toEqual([
      ['name', undefined],
      ['module', 'example.com/vault-plugin-secrets-demo'],
      ['description', 'The demo secrets engine for HashiCorp Vault'],
    ])
    expect(answers.name).toBe('vault-plugin-secrets-demo')
    expect(answers.dir).toBe('vault-plugin-secrets-demo')
  })

  test('--yes in a terminal asks nothing', async () => {
    await expect(resolveAnswers({name: 'hello'}, {yes: true, interactive: true}, ctx, noAsk)).resolves.toMatchObject({name: 'hello'})
  })

  test('a cancelled prompt surfaces as exit code 130', async () => {
    const ask: Ask = async () => {
      throw new CancelledError()
    }
    await expect(resolveAnswers({}, {yes: false, interactive: true}, ctx, ask)).rejects.toMatchObject({exitCode: 130})
  })

  test('every prompted question has a message and a validator that accepts its own default', async () => {
    const answers = {type: 'secrets', name: 'hello'}
    for (const question of QUESTIONS.filter((q) => q.prompt)) {
      expect(question.message).toMatch(/\?$/)
      const value = question.default(answers, ctx)
      if (value !== undefined) expect(question.validate(value, answers, ctx)).toBeUndefined()
    }
  })
})

describe('--plugin-version', () => {
  const version = QUESTIONS.find((q) => q.key === 'version')!
  test.each(['0.1.0', '1.2.3-rc.1', '1.0.0-alpha-1', '1.0.0+build.5', '10.20.30'])('accepts %j', (value) => {
    expect(version.validate(value, {}, ctx)).toBeUndefined()
  })
  test.each(['1.2', '01.2.3', '1.2.3-', '0.1.0-a..b', '0.1.0-.', '1.2.3-01', 'latest'])('refuses %j', (value) => {
    expect(version.validate(value, {}, ctx)).toMatch(/is not a semantic version/)
  })
})
