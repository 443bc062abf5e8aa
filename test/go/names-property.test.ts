import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import fc from 'fast-check'
import {afterAll, expect, test} from 'vitest'

import {pluginNames, validateModulePath, validatePluginName} from '../../src/lib/scaffold/names.js'
import {SHIPPED_BUILD_ENV, runCli} from '../helpers.js'

// Property tests of the name and module-path rules, with Go itself as the judge: every input vaultkit
// accepts is one Go accepts (and builds), every one it refuses gets a one-line message.
const work = mkdtempSync(join(tmpdir(), 'vaultkit-names-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''), 'A', '_', '.', '/', ' ', 'é')
const names = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,3}$/),
  fc.array(nameChars, {maxLength: 45}).map((chars) => chars.join('')),
  fc.constantFrom('kv', 'pki', 'type', 'func', 'main', 'go', 'vault-plugin-auth-x', 'vault-plugin-secrets-x', 'a'.repeat(41)),
)
const elementChars = fc.constantFrom(...'abcxyz019.-_~AZ'.split(''), '/', ' ', '!', 'é', '@')
const modulePaths = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}\.(com|io|dev)$/), fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}[A-Za-z0-9]$/), {maxLength: 3})).map(([host, rest]) => [host, ...rest].join('/')),
  fc.array(elementChars, {maxLength: 30}).map((chars) => chars.join('')),
  fc.constantFrom('example.com/x', 'github.com/acme/vault-plugin', 'nodot/x', 'Example.com/x', 'example.com/con', 'example.com//x', 'example.com/x.', 'example.com/-x'),
)

/** One line, saying something: what every refusal must be. */
const isMessage = (text: string | undefined) => typeof text === 'string' && text.length > 10 && !text.includes('\n')

test('every plugin name is accepted with Go-valid derived names, or refused with a message', () => {
  fc.assert(
    fc.property(names, fc.constantFrom('secret', 'auth', 'database') as fc.Arbitrary<'secret' | 'auth' | 'database'>, (input, type) => {
      const problem = validatePluginName(input, type)
      if (problem !== undefined) return isMessage(problem)
      const derived = pluginNames(input, type)
      return /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(derived.name) && derived.name.length <= 40 && /^[a-z][a-z0-9]*$/.test(derived.goPackage) && derived.binaryName.endsWith(derived.name)
    }),
    {numRuns: 2000},
  )
})

test('every module path vaultkit accepts passes golang.org/x/mod module.CheckPath; every refusal has a message', async () => {
  const samples = fc.sample(modulePaths, {numRuns: 1500, seed: 42})
  const judge = join(work, 'judge')
  mkdirSync(judge)
  writeFileSync(join(judge, 'go.mod'), 'module judge\n\ngo 1.22\n\nrequire golang.org/x/mod v0.41.0\n')
  writeFileSync(
    join(judge, 'main.go'),
    'package main\n\nimport (\n\t"bufio"\n\t"fmt"\n\t"os"\n\n\t"golang.org/x/mod/module"\n)\n\nfunc main() {\n\ts := bufio.NewScanner(os.Stdin)\n\tfor s.Scan() {\n\t\tif module.CheckPath(s.Text()) == nil {\n\t\t\tfmt.Println("ok")\n\t\t} else {\n\t\t\tfmt.Println("refused")\n\t\t}\n\t}\n}\n',
  )
  await execa('go', ['mod', 'tidy'], {cwd: judge, env: {GOFLAGS: '-mod=mod'}})
  const lines = samples.map((p) => p.replaceAll('\n', ' '))
  const {stdout} = await execa('go', ['run', '.'], {cwd: judge, input: `${lines.join('\n')}\n`})
  const verdicts = stdout.split('\n')
  let accepted = 0
  lines.forEach((path, i) => {
    const problem = validateModulePath(path)
    if (problem === undefined) {
      accepted++
      expect(verdicts[i], path).toBe('ok')
    } else {
      expect(isMessage(problem), path).toBe(true)
    }
  })
  // The generators must exercise both sides, or the property says little.
  expect(accepted).toBeGreaterThan(200)
  expect(accepted).toBeLessThan(lines.length - 200)
}, 300_000)

test('projects from random accepted names and module paths build with go build', {timeout: 600_000}, async () => {
  const accepted = fc
    .sample(fc.tuple(names, modulePaths, fc.constantFrom('secrets', 'auth', 'database')), {numRuns: 400, seed: 7})
    .filter(([name, module, kind]) => validatePluginName(name, kind === 'secrets' ? 'secret' : (kind as 'auth' | 'database')) === undefined && validateModulePath(module) === undefined)
  // Distinct kinds and shapes, few enough to build: each is a full project compiled by Go.
  const chosen = [...new Map(accepted.map((a) => [a[2], a])).values()]
  expect(chosen.length).toBe(3)
  for (const [name, module, kind] of chosen) {
    const dir = join(work, `p-${kind}`)
    const made = await runCli(['plugin', 'new', name, '--type', kind, '--module', module, '--dir', dir, '--yes', '--no-git'])
    expect(made.exitCode, `${name} ${module}: ${made.stderr}`).toBe(0)
    const build = await execa('go', ['build', './...'], {cwd: dir, reject: false, all: true, env: SHIPPED_BUILD_ENV})
    expect(build.exitCode, `${kind} ${name} ${module}:\n${build.all}`).toBe(0)
  }
})
