import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {listTree, runCli, tempDir} from '../helpers.js'
import {EXAMPLE_KIND, SMALL_FILES, smallKind, writeKind} from '../kinds.js'

const quiet = ['--no-tidy', '--no-git']
/** No config file of the person running the tests leaks in. */
const isolated = (extra: Record<string, string> = {}) => ({XDG_CONFIG_HOME: tempDir(), VAULTKIT_TEMPLATE_PATH: '', ...extra})

describe('template list', () => {
  test('shows the built-in kinds and those of VAULTKIT_TEMPLATE_PATH and the config file, with where each comes from', async () => {
    const root = tempDir()
    writeKind(join(root, 'kinds', 'small'), smallKind(), SMALL_FILES)
    const xdg = join(root, 'xdg')
    mkdirSync(join(xdg, 'vaultkit'), {recursive: true})
    writeFileSync(join(xdg, 'vaultkit', 'config.json'), JSON.stringify({templatePath: [join(EXAMPLE_KIND, '..')]}))
    const env = {XDG_CONFIG_HOME: xdg, VAULTKIT_TEMPLATE_PATH: join(root, 'kinds')}
    const json = await runCli(['template', 'list', '--json'], {env})
    expect(json.stderr).toBe('')
    const {kinds} = JSON.parse(json.stdout)
    expect(kinds.map((k: {name: string}) => k.name)).toEqual(['auth', 'database', 'secrets', 'small', 'team-secrets'])
    expect(kinds.find((k: {name: string}) => k.name === 'small')).toEqual({
      name: 'small',
      pluginType: 'secret',
      description: 'A small kind for tests',
      source: 'template-path',
      origin: 'VAULTKIT_TEMPLATE_PATH',
      dir: join(root, 'kinds', 'small'),
      extends: 'secrets',
    })
    expect(kinds.find((k: {name: string}) => k.name === 'team-secrets')).toMatchObject({source: 'config', origin: join(xdg, 'vaultkit', 'config.json')})
    const text = await runCli(['template', 'list'], {env})
    expect(text.stdout).toMatch(/^secrets\s+secret\s+Secrets engine/m)
    expect(text.stdout).toContain(`from ${join(root, 'kinds', 'small')} (VAULTKIT_TEMPLATE_PATH), extends secrets`)
  })

  test('two kinds of one name are an error naming both folders', async () => {
    const root = tempDir()
    writeKind(join(root, 'a', 'small'), smallKind(), SMALL_FILES)
    writeKind(join(root, 'b', 'small'), smallKind(), SMALL_FILES)
    const result = await runCli(['template', 'list'], {env: isolated({VAULTKIT_TEMPLATE_PATH: `${join(root, 'a')}:${join(root, 'b')}`})})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`Error: Two kinds are named "small" (${join(root, 'a', 'small')} from VAULTKIT_TEMPLATE_PATH, and ${join(root, 'b', 'small')} from VAULTKIT_TEMPLATE_PATH)`)
  })
})

describe('plugin new with an external kind', () => {
  test('--template renders it like a built-in one, with --answer for its questions', async () => {
    const cwd = tempDir()
    const kind = writeKind(join(cwd, 'small'), smallKind(), SMALL_FILES)
    const args = ['plugin', 'new', 'hello', '--template', kind, '--yes', '--answer', 'storage=redis', '--answer', 'redisAddr=db:1=2', '--json', ...quiet]
    const result = await runCli(args, {cwd, env: isolated()})
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'small', binaryName: 'vault-plugin-secrets-hello'})
    const project = join(cwd, 'vault-plugin-secrets-hello')
    expect(readFileSync(join(project, 'NOTES.md'), 'utf8')).toBe('owner ops / redis\n')
    expect(readFileSync(join(project, 'redis/ADDR'), 'utf8')).toBe('db:1=2\n')
    expect(existsSync(join(project, 'path_creds.go'))).toBe(true)
  })

  test('a kind on VAULTKIT_TEMPLATE_PATH is chosen with --type', async () => {
    const cwd = tempDir()
    writeKind(join(cwd, 'kinds', 'small'), smallKind(), SMALL_FILES)
    const result = await runCli(['plugin', 'new', 'hello', '--type', 'small', '--yes', '--answer', 'withNotes=no', ...quiet], {cwd, env: isolated({VAULTKIT_TEMPLATE_PATH: join(cwd, 'kinds')})})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(existsSync(join(cwd, 'vault-plugin-secrets-hello', 'NOTES.md'))).toBe(false)
  })

  test('a kind whose files macOS or Windows could not hold is refused before anything is written, by plugin new and template test', async () => {
    const cwd = tempDir()
    const tmp = tempDir()
    const kind = writeKind(join(cwd, 'small'), smallKind(), {...SMALL_FILES, 'README.md': 'one\n', 'readme.md.hbs': 'two\n'})
    const said = `Error: The small kind renders README.md and readme.md, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case): rename one in ${kind}`
    const made = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', ...quiet], {cwd, env: isolated()})
    expect(made.exitCode).toBe(1)
    expect(made.stderr.trim()).toBe(said)
    expect(existsSync(join(cwd, 'vault-plugin-secrets-hello'))).toBe(false)
    const tested = await runCli(['template', 'test', kind], {cwd, env: isolated({TMPDIR: tmp})})
    expect(tested.exitCode).toBe(1)
    expect(tested.stderr.trim()).toBe(said)
    expect(readdirSync(tmp).filter((name) => name.startsWith('vaultkit-'))).toEqual([])
  })

  test('--type and --template that disagree are refused', async () => {
    const cwd = tempDir()
    const kind = writeKind(join(cwd, 'small'), smallKind(), SMALL_FILES)
    const result = await runCli(['plugin', 'new', 'hello', '--type', 'auth', '--template', kind, '--yes'], {cwd, env: isolated()})
    expect(result.stderr.trim()).toBe(`Error: --type auth and --template ${kind} (the small kind) disagree: pass one of them`)
  })

  test.each([
    ['bad JSON', '{"name": "small",', (dir: string) => `Error: ${dir}/template.json is not valid JSON`],
    ['an unknown field', smallKind({colour: 'blue'}), (dir: string) => `Error: ${dir}/template.json: field "colour" is not a manifest field`],
    ['a bad type', smallKind({questions: [{name: 'q', type: 'number', message: 'Q?'}], files: []}), (dir: string) => `Error: ${dir}/template.json: field "questions/0/type" must be one of string, choice, confirm`],
    ['a bad pattern', smallKind({questions: [{name: 'q', type: 'string', message: 'Q?', pattern: '(a'}], files: []}), (dir: string) => `Error: ${dir}/template.json: field "questions/0/pattern" is not a valid regular expression`],
    ['a missing file', smallKind({files: [{path: 'gone.go.hbs', when: 'withNotes'}]}), (dir: string) => `Error: ${dir}/template.json: field "files/0/path" names "gone.go.hbs", which is in none of the kind's layers`],
    ['a question without a default', smallKind({questions: [{name: 'region', type: 'string', message: 'Region?'}], files: []}), () => 'Error: --yes cannot answer "region": the small kind gives it no default: pass --answer region=<value>'],
  ])('a kind with %s gives its precise error, and nothing is written', async (_what, manifest, message) => {
    const cwd = tempDir()
    const dir = writeKind(join(cwd, 'small'), manifest, SMALL_FILES)
    const result = await runCli(['plugin', 'new', 'hello', '--template', dir, '--yes', ...quiet], {cwd, env: isolated()})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(message(dir))
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(readdirSync(cwd)).toEqual(['small'])
  })

  test('a missing template.json and a missing folder are named', async () => {
    const cwd = tempDir()
    mkdirSync(join(cwd, 'empty'))
    const empty = await runCli(['plugin', 'new', 'hello', '--template', join(cwd, 'empty'), '--yes'], {cwd, env: isolated()})
    expect(empty.stderr.trim()).toBe(`Error: ${join(cwd, 'empty')}/template.json is missing: a kind folder needs a template.json`)
    const none = await runCli(['plugin', 'new', 'hello', '--template', 'nowhere', '--yes'], {cwd, env: isolated()})
    expect(none.stderr.trim()).toBe('Error: nowhere (from --template) does not exist: point it at a kind folder holding template.json and files/')
  })
})

describe('--trust', () => {
  const commandsKind = (dir: string) => writeKind(dir, smallKind({commands: [{run: 'echo "$PWD" > ran.txt'}, {run: 'touch notes-ran', when: 'withNotes'}]}), SMALL_FILES)

  test('without it, a kind with commands is refused before anything is written', async () => {
    const cwd = tempDir()
    const kind = commandsKind(join(cwd, 'small'))
    const result = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', ...quiet], {cwd, env: isolated()})
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toBe(`Error: The small kind (${kind}) runs its own commands: echo "$PWD" > ran.txt; touch notes-ran: read its template.json, then pass --trust to allow them`)
    expect(readdirSync(cwd)).toEqual(['small'])
  })

  test('with it, the commands run in the new project, after the files are written; conditions apply', async () => {
    const cwd = tempDir()
    const kind = commandsKind(join(cwd, 'small'))
    const result = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', '--trust', '--answer', 'withNotes=false', ...quiet], {cwd, env: isolated()})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/✔ run echo "\$PWD" > ran.txt/)
    const project = join(cwd, 'vault-plugin-secrets-hello')
    expect(readFileSync(join(project, 'ran.txt'), 'utf8').trim()).toBe(project)
    expect(existsSync(join(project, 'notes-ran'))).toBe(false)
  })

  test('a failing command fails plugin new with its output, the project kept', async () => {
    const cwd = tempDir()
    const kind = writeKind(join(cwd, 'small'), smallKind({commands: [{run: 'echo broken >&2; exit 3'}]}), SMALL_FILES)
    const result = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', '--trust', ...quiet], {cwd, env: isolated()})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('Error: The project is written, but `echo broken >&2; exit 3` failed (broken)')
  })

  test('template test refuses too, and leaves no temporary folder', async () => {
    const cwd = tempDir()
    const tmp = tempDir()
    const kind = commandsKind(join(cwd, 'small'))
    const result = await runCli(['template', 'test', kind], {cwd, env: isolated({TMPDIR: tmp})})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/runs its own commands: .*pass --trust to allow them/)
    expect(readdirSync(tmp).filter((name) => name.startsWith('vaultkit-'))).toEqual([])
  })
})

describe('template new', () => {
  test('copies the kind into a new folder under the new name', async () => {
    const cwd = tempDir()
    const result = await runCli(['template', 'new', 'acme-auth', '--from', 'auth', '--json'], {cwd, env: isolated()})
    expect(result.exitCode, result.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(join(cwd, 'acme-auth', 'template.json'), 'utf8'))
    expect(manifest).toMatchObject({name: 'acme-auth', pluginType: 'auth', questions: [], files: [], commands: []})
    // The smoke too: the copy has the auth kind's paths, so the same requests answer.
    const auth = JSON.parse(readFileSync(join(import.meta.dirname, '../../templates/auth/template.json'), 'utf8'))
    expect(manifest.smoke).toEqual(auth.smoke)
    const copied = JSON.parse(result.stdout).files.map((f: {path: string}) => f.path)
    // Its own files and those of the layer it shares with secrets: every file but common's is there to edit.
    expect(copied).toEqual(expect.arrayContaining(['files/path_login.go.hbs', 'files/path_config.go.hbs', 'files/Makefile.hbs']))
    const project = join(cwd, 'from-copy')
    const rendered = await runCli(['plugin', 'new', 'hello', '--template', join(cwd, 'acme-auth'), '--yes', '--no-tidy', '--no-git', '--dir', project], {env: isolated()})
    expect(rendered.exitCode, rendered.stderr).toBe(0)
    const golden = join(import.meta.dirname, '../golden/auth')
    expect(listTree(project)).toEqual(listTree(golden))
    // The same files, so the same pristine render; only where it came from differs.
    const origin = (dir: string) => JSON.parse(readFileSync(join(dir, '.vaultkit.json'), 'utf8'))
    for (const file of listTree(golden).filter((f) => f !== '.vaultkit.json')) expect(readFileSync(join(project, file), 'utf8'), file).toBe(readFileSync(join(golden, file), 'utf8'))
    expect(origin(project).base).toBe(origin(golden).base)
    expect(origin(project).kind).toEqual({name: 'acme-auth', version: '0.1.0', path: join(cwd, 'acme-auth')})
  })

  test.each([
    [['template', 'new', 'secrets'], /^Error: There is already a "secrets" kind \(.*built-in\): choose another name$/],
    [['template', 'new', 'Acme'], /^Error: "Acme" is not a kind name: use lowercase letters/],
    [['template', 'new', 'acme', '--from', 'nope'], /^Error: There is no "nope" kind: pass --from auth\|database\|secrets$/],
  ])('%j is refused', async (args, message) => {
    const cwd = tempDir()
    const result = await runCli(args, {cwd, env: isolated()})
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toMatch(message)
    expect(readdirSync(cwd)).toEqual([])
  })
})
