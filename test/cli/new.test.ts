import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {execa} from 'execa'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {BIN, listTree, runCli, tempDir, unwritableDir} from '../helpers.js'
import {EXAMPLE_KIND} from '../kinds.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')
const quiet = ['--no-tidy', '--no-git']

describe('plugin new: the happy path', () => {
  test('writes the secrets kind into ./vault-plugin-secrets-hello and lists what it made', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', ...quiet], {cwd})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const project = join(cwd, 'vault-plugin-secrets-hello')
    expect(readdirSync(cwd)).toEqual(['vault-plugin-secrets-hello'])
    expect(listTree(project)).toEqual(listTree(GOLDEN))
    expect(result.stdout).toContain('Created vault-plugin-secrets-hello (secrets, example.com/vault-plugin-secrets-hello) in vault-plugin-secrets-hello')
    for (const file of listTree(project)) expect(result.stdout).toContain(`create ${file}`)
    expect(result.stdout).toContain('vaultkit plugin dev')
    expect(result.stdout).toContain('vaultkit plugin test')
  })

  test('a name that already has the prefix is used as it is', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'vault-plugin-secrets-hello', '--type', 'secrets', '--no-interactive', ...quiet], {cwd})
    expect(result.exitCode).toBe(0)
    expect(readdirSync(cwd)).toEqual(['vault-plugin-secrets-hello'])
  })

  test('flags set the module, version, description and directory', async () => {
    const cwd = tempDir()
    const args = ['plugin', 'new', 'hello', '--type', 'secrets', '--module', 'github.com/acme/hello', '--plugin-version', '1.2.3']
    const result = await runCli([...args, '--description', 'Says "hi"', '--output', 'plugins/hi', ...quiet], {cwd})
    expect(result.exitCode).toBe(0)
    const project = join(cwd, 'plugins/hi')
    expect(readFileSync(join(project, 'go.mod'), 'utf8')).toMatch(/^module github.com\/acme\/hello$/m)
    expect(readFileSync(join(project, 'version/version.go'), 'utf8')).toContain('"1.2.3"')
    expect(readFileSync(join(project, 'backend.go'), 'utf8')).toContain('Says \\"hi\\"')
  })

  test('--dry-run prints every planned file with its size and writes nothing', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--dry-run'], {cwd})
    expect(result.exitCode).toBe(0)
    expect(readdirSync(cwd)).toEqual([])
    expect(result.stdout).toContain('dry run: nothing written')
    for (const file of listTree(GOLDEN)) {
      const size = readFileSync(join(GOLDEN, file)).length
      expect(result.stdout).toMatch(new RegExp(`create ${file.replaceAll('.', '\\.')} +${size < 1024 ? `${size} B` : ''}`))
    }
    expect(result.stdout).toMatch(/go mod tidy: dry run/)
  })

  test('--json prints one parsable document, sizes included', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--json', ...quiet], {cwd})
    expect(result.exitCode).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({
      dryRun: false,
      kind: 'secrets',
      pluginType: 'secret',
      name: 'hello',
      binaryName: 'vault-plugin-secrets-hello',
      module: 'example.com/vault-plugin-secrets-hello',
      version: '0.1.0',
      directory: join(cwd, 'vault-plugin-secrets-hello'),
      steps: [],
    })
    expect(report.files.map((f: {path: string}) => f.path)).toEqual(listTree(GOLDEN))
    for (const f of report.files) expect(f.size).toBe(readFileSync(join(cwd, 'vault-plugin-secrets-hello', f.path)).length)
  })

  test('--json reports an error as JSON too', async () => {
    const result = await runCli(['plugin', 'new', 'kv', '--yes', '--json'], {cwd: tempDir()})
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({error: {message: expect.stringMatching(/shadow/), exitCode: 1}})
  })
})

describe('plugin new: bad input gives one line, exit 1, and writes nothing', () => {
  test.each([
    [['', '--yes'], /^Error: The plugin name is empty: pass a name such as "hello"$/],
    [['my plugin', '--yes'], /^Error: "my plugin" is not a valid plugin name: use lowercase letters/],
    [['Hello', '--yes'], /^Error: "Hello" is not a valid plugin name/],
    [['../x', '--yes'], /^Error: "..\/x" is a path, not a plugin name/],
    [['a'.repeat(200), '--yes'], /^Error: The plugin name is 200 characters long: keep it to 40 or fewer$/],
    [['kv', '--yes'], /^Error: "kv" would shadow Vault's builtin kv plugin: choose another name/],
    [['pki', '--yes'], /builtin pki plugin/],
    [['transit', '--yes'], /builtin transit plugin/],
    [['database', '--yes'], /builtin database plugin/],
    [['userpass', '--yes'], /builtin userpass plugin/],
    [['hello', '--yes', '--module', ''], /^Error: The Go module path is empty/],
    [['hello', '--yes', '--module', 'github.com/acme/my plugin'], /contains white space/],
    [['hello', '--yes', '--module', 'GitHub.com/acme/x'], /must start with a lowercase domain such as example.com/],
    [['hello', '--yes', '--module', '.hidden/x'], /may not start with "."/],
    [['hello', '--yes', '--module', 'example.com/con'], /Windows reserves/],
    [['hello', '--yes', '--module', '../x'], /has an empty, "." or ".." element/],
    [['hello', '--yes', '--module', `example.com/${'a'.repeat(200)}`], /characters long/],
    [['hello', '--yes', '--plugin-version', 'latest'], /^Error: "latest" is not a semantic version: pass --plugin-version such as 0.1.0$/],
    [['hello', '--yes', '--type', 'nope'], /^Error: There is no "nope" kind: pass --type auth\|database\|secrets/],
    [['hello'], /^Error: --type is missing: pass --type auth\|database\|secrets, or --yes to take the default$/],
    [['--type', 'secrets'], /^Error: The plugin name is missing: pass it as NAME/],
  ])('%j', async (args, message) => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', ...args, ...quiet], {cwd})
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.exitCode).toBe(1)
    expect(readdirSync(cwd)).toEqual([])
  })

  test('an existing directory that is not empty is refused and left as it was', async () => {
    const cwd = tempDir()
    mkdirSync(join(cwd, 'vault-plugin-secrets-hello'))
    writeFileSync(join(cwd, 'vault-plugin-secrets-hello/go.mod'), 'module mine\n')
    const result = await runCli(['plugin', 'new', 'hello', '--yes', ...quiet], {cwd})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/vault-plugin-secrets-hello already exists and is not empty: choose another --dir/)
    expect(listTree(join(cwd, 'vault-plugin-secrets-hello'))).toEqual(['go.mod'])
    expect(readFileSync(join(cwd, 'vault-plugin-secrets-hello/go.mod'), 'utf8')).toBe('module mine\n')
  })

  test('an unwritable parent is refused with nothing left behind', async () => {
    const parent = unwritableDir()
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--dir', join(parent, 'p'), ...quiet])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/^Error: Cannot write in .* \(E(ACCES|PERM)\): choose a --dir where you may create files$/)
    expect(readdirSync(parent)).toEqual([])
  })

  test('an unknown flag is a usage error (exit 2)', async () => {
    const result = await runCli(['plugin', 'new', 'hello', '--colour'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/Nonexistent flag: --colour/)
  })
})

describe('plugin new: interrupted writes', () => {
  // Each file write is slowed (test/fixtures/slow-writes.js) so the signal surely lands mid-write.
  const SLOW = ['--import', join(import.meta.dirname, '../fixtures/slow-writes.js')]

  async function interruptMidWrite(signal: 'SIGINT' | 'SIGTERM', cwd: string, args: string[]) {
    const child = execa(process.execPath, [...SLOW, BIN, 'plugin', 'new', 'hello', '--yes', ...quiet, ...args], {
      cwd,
      reject: false,
      env: {NO_COLOR: '1'},
    })
    const staging = (dir: string) => existsSync(dir) && readdirSync(dir).some((name) => name.includes('.vaultkit-'))
    const deadline = Date.now() + 20_000
    while (!staging(cwd) && !staging(join(cwd, 'vault-plugin-secrets-hello'))) {
      if (Date.now() > deadline) throw new Error('the write never started')
      await new Promise((r) => setTimeout(r, 5))
    }
    child.kill(signal)
    return child
  }

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during the write removes everything and exits %i', async (signal, code) => {
    const cwd = tempDir()
    const result = await interruptMidWrite(signal, cwd, [])
    expect(result.stderr).toMatch(new RegExp(`^Error: Interrupted \\(${signal}\\): nothing was written$`))
    expect(result.exitCode).toBe(code)
    expect(readdirSync(cwd)).toEqual([])
  })

  test('an existing empty folder is left empty, and is still the same folder', async () => {
    const cwd = tempDir()
    const project = join(cwd, 'vault-plugin-secrets-hello')
    mkdirSync(project)
    const inode = statSync(project).ino
    const result = await interruptMidWrite('SIGINT', cwd, [])
    expect(result.exitCode).toBe(130)
    expect(readdirSync(project)).toEqual([])
    expect(statSync(project).ino).toBe(inode)
  })

  test('an existing empty folder is filled in place (--dir .)', async () => {
    const cwd = tempDir()
    const inode = statSync(cwd).ino
    const result = await runCli(['plugin', 'new', 'hello', '--yes', '--dir', '.', ...quiet], {cwd})
    expect(result.exitCode).toBe(0)
    expect(statSync(cwd).ino).toBe(inode)
    expect(listTree(cwd)).toEqual(listTree(GOLDEN))
  })
})

describe('plugin new --answers FILE', () => {
  const recipe = {
    name: 'billing',
    type: 'team-secrets',
    module: 'github.com/acme/vault-plugin-secrets-billing',
    version: '1.2.0',
    description: 'Billing secrets',
    dir: 'out/billing',
    team: 'payments',
    stage: 'prod',
    oncall: 'pay@example.com',
    withCreds: false,
  }
  const write = (dir: string, data: unknown) => {
    const file = join(dir, 'answers.json')
    writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
    return file
  }
  const env = {VAULTKIT_TEMPLATE_PATH: EXAMPLE_KIND}

  test('answers every question from the file, with no terminal and no --yes', async () => {
    const cwd = tempDir()
    const result = await runCli(['plugin', 'new', '--answers', write(cwd, recipe), '--no-interactive', ...quiet], {cwd, env})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const project = join(cwd, 'out/billing')
    expect(readFileSync(join(project, 'go.mod'), 'utf8')).toMatch(/^module github\.com\/acme\/vault-plugin-secrets-billing$/m)
    expect(readFileSync(join(project, 'version/version.go'), 'utf8')).toContain('var Version = "1.2.0"')
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('Billing secrets')
    const info = readFileSync(join(project, 'path_info.go'), 'utf8')
    expect(info).toContain('"payments"')
    expect(info).toContain('"pay@example.com"')
    expect(existsSync(join(project, 'path_creds.go'))).toBe(false)
  })

  test('--template names the kind, over the file\'s type', async () => {
    const cwd = tempDir()
    const file = write(cwd, {...recipe, type: 'secrets', dir: 'mine'})
    const result = await runCli(['plugin', 'new', '--answers', file, '--template', EXAMPLE_KIND, '--no-interactive', '--json', ...quiet], {cwd})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'team-secrets', name: 'billing'})
  })

  test('flags win over the file, answer by answer', async () => {
    const cwd = tempDir()
    const args = ['plugin', 'new', 'ledger', '--answers', write(cwd, recipe), '--plugin-version', '2.0.0', '--answer', 'team=ops', '--dir', 'mine']
    const result = await runCli([...args, '--no-interactive', '--json', ...quiet], {cwd, env})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({name: 'ledger', version: '2.0.0', module: recipe.module, directory: join(cwd, 'mine')})
    expect(readFileSync(join(cwd, 'mine/path_info.go'), 'utf8')).toContain('"ops"')
  })

  test.each([
    ['a file that is not there', null, /^Error: The answers file .*none\.json cannot be read \(ENOENT\): pass --answers a JSON object/],
    ['broken JSON', '{"name": ', /^Error: The answers file .*answers\.json is not valid JSON \(.*\): pass --answers a JSON object/],
    ['a list', '["hello"]', /^Error: The answers file .*answers\.json must hold a JSON object: such as \{"name": "hello", "withCreds": false\}$/],
    ['a number as an answer', {name: 'hello', team: 7}, /^Error: .*answers\.json: answer "team" must be a string or true\/false: fix the answers file$/],
    ['a name Vault refuses', {name: 'kv'}, /^Error: .*answers\.json: answer "name": "kv" would shadow Vault's builtin kv plugin/],
    ['a bad answer to a question', {name: 'hello', type: 'team-secrets', team: 'Payments!'}, /^Error: .*answers\.json: answer "team": /],
    ['a bad version', {name: 'hello', version: 'latest'}, /^Error: .*answers\.json: answer "version": "latest" is not a semantic version/],
    ['a key no question of the kind asks', {name: 'hello', type: 'team-secrets', colour: 'red'}, /^Error: .*answers\.json: answer "colour": the team-secrets kind has no question "colour": its questions are team, stage, oncall, withCreds$/],
    ['a flag name for a key', {name: 'hello', 'plugin-version': '1.0.0'}, /^Error: .*answers\.json: "plugin-version" is a flag's name: the answers file calls it "version"$/],
    ['true as a name', {name: true}, /^Error: .*answers\.json: answer "name" must be a string: put it in quotes$/],
  ])('%s: one line, exit 1, nothing written', async (_, data, message) => {
    const cwd = tempDir()
    const file = data === null ? join(cwd, 'none.json') : write(cwd, data)
    const result = await runCli(['plugin', 'new', '--answers', file, '--yes', ...quiet], {cwd, env})
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.exitCode).toBe(1)
    expect(readdirSync(cwd).filter((name) => name !== 'answers.json')).toEqual([])
  })
})
