import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {renderProject} from '../../src/lib/scaffold/new-project.js'
import {resolveAnswers} from '../../src/lib/scaffold/questions/resolve.js'
import {discoverKinds} from '../../src/lib/templates/search-path.js'
import {tempDir} from '../helpers.js'
import {SMALL_FILES, smallKind, writeKind} from '../kinds.js'

const noSearchPath = {env: {}, searchPath: false}

async function render(kindDir: string, extra: Record<string, string | boolean> = {}) {
  const {kinds, selected} = discoverKinds({template: kindDir, ...noSearchPath})
  const answers = await resolveAnswers({name: 'hello', type: selected!.manifest.name, extra}, {yes: true, interactive: false}, {kinds})
  return (await renderProject(answers, kinds)).files
}
const paths = (files: {path: string}[]) => files.map((f) => f.path)
const text = (files: {path: string; contents: Buffer}[], path: string) => files.find((f) => f.path === path)?.contents.toString()

describe('an external kind', () => {
  test('layers common, the kind it extends, then its own files; answers are top-level and under answers', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind(), SMALL_FILES)
    const files = await render(dir)
    expect(paths(files)).toContain('path_creds.go')
    expect(paths(files)).toContain('go.mod')
    expect(text(files, 'NOTES.md')).toBe('owner ops / memory\n')
    expect(paths(files).some((p) => p.startsWith('redis/'))).toBe(false)
  })

  test('files and questions follow their conditions', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind(), SMALL_FILES)
    const files = await render(dir, {storage: 'redis', withNotes: 'no', redisAddr: 'cache:6379'})
    expect(paths(files)).not.toContain('NOTES.md')
    expect(text(files, 'redis/ADDR')).toBe('cache:6379\n')
  })

  test('a question whose condition is false is not asked and keeps its default', async () => {
    const {kinds} = discoverKinds({template: writeKind(join(tempDir(), 'small'), smallKind(), SMALL_FILES), ...noSearchPath})
    const asked: string[] = []
    const answers = await resolveAnswers({name: 'hello', type: 'small'}, {yes: false, interactive: true}, {kinds}, async (question, fallback) => {
      asked.push(question.key)
      return question.key === 'owner' ? 'dev' : fallback!
    })
    expect(asked).toEqual(['module', 'description', 'owner', 'storage', 'withNotes'])
    expect(answers.extra).toEqual({owner: 'dev', storage: 'memory', withNotes: true, redisAddr: '127.0.0.1:6379'})
  })

  test.each([
    [{owner: 'Ops'}, '"Ops" does not answer "owner": it must match [a-z]+'],
    [{storage: 'disk'}, '"disk" is not a choice of "storage": pass --answer storage=memory|redis'],
    [{withNotes: 'maybe'}, '"maybe" does not answer "withNotes" (yes or no)'],
    [{colour: 'red'}, '--answer colour: the small kind has no question "colour"'],
  ])('the answer %j is refused', async (extra, message) => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind(), SMALL_FILES)
    await expect(render(dir, extra)).rejects.toThrow(message)
  })

  test('under --yes, a question without a default is an error naming it', async () => {
    const questions = [{name: 'region', type: 'choice', message: 'Region?', choices: ['eu', 'us']}]
    const dir = writeKind(join(tempDir(), 'small'), smallKind({questions, files: []}), {})
    await expect(render(dir)).rejects.toMatchObject({
      message: '--yes cannot answer "region": the small kind gives it no default',
      hint: 'pass --answer region=eu|us',
    })
  })

  test('a files entry that names nothing is an error naming the file and field', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind({files: [{path: 'missing.go.hbs', when: 'withNotes'}]}), {})
    await expect(render(dir)).rejects.toThrow(`${dir}/template.json: field "files/0/path" names "missing.go.hbs", which is in none of the kind's layers`)
  })

  test('extends must name a built-in kind of the same plugin type', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind({extends: 'auth'}), SMALL_FILES)
    await expect(render(dir)).rejects.toThrow(`${dir}/template.json: field "extends" names the auth kind, which makes auth plugins, but pluginType is secret`)
  })

  test('a kind with the name of a built-in one is refused', async () => {
    const dir = writeKind(join(tempDir(), 'k'), smallKind({name: 'secrets', extends: undefined}), SMALL_FILES)
    await expect(render(dir)).rejects.toThrow(/Two kinds are named "secrets"/)
  })
})

describe('a template may not reach outside its folder', () => {
  test('a path segment that renders to ../ is refused', async () => {
    const questions = [{name: 'where', type: 'string', message: 'Where?', default: '..'}]
    const dir = writeKind(join(tempDir(), 'small'), smallKind({questions, files: []}), {'{{where}}/escape.txt': 'x'})
    await expect(render(dir)).rejects.toThrow('Template file {{where}}/escape.txt renders to "../escape.txt", which is outside the project')
  })

  test('a value holding "/" cannot climb out either', async () => {
    const questions = [{name: 'where', type: 'string', message: 'Where?', default: 'a/../../b'}]
    const dir = writeKind(join(tempDir(), 'small'), smallKind({questions, files: []}), {'{{where}}.txt': 'x'})
    await expect(render(dir)).rejects.toThrow(/renders to "a\/\.\.\/\.\.\/b\.txt", which is outside the project/)
  })

  test('a files entry with ../ is refused by the schema', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind({files: [{path: '../../secrets/files/backend.go.hbs', when: 'withNotes'}]}), {})
    await expect(render(dir)).rejects.toThrow(`${dir}/template.json: field "files/0/path" must be a relative path below files/, without ".." or "." segments`)
  })

  test('a symlink out of the kind folder is refused', async () => {
    const root = tempDir()
    writeFileSync(join(root, 'secret.txt'), 'private')
    const dir = writeKind(join(root, 'small'), smallKind({files: []}), {})
    symlinkSync(join(root, 'secret.txt'), join(dir, 'files', 'stolen.txt'))
    await expect(render(dir)).rejects.toThrow(`Template file stolen.txt is a link to ${join(root, 'secret.txt')}, outside the kind folder ${dir}`)
  })

  test('a files/ folder that is a link out is refused', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'elsewhere'))
    const dir = join(root, 'small')
    mkdirSync(dir)
    writeFileSync(join(dir, 'template.json'), JSON.stringify(smallKind({files: []})))
    symlinkSync(join(root, 'elsewhere'), join(dir, 'files'))
    await expect(render(dir)).rejects.toThrow(`${join(dir, 'files')} is a link out of the kind folder ${dir}`)
  })

  test('a symlink to a file inside the kind folder is followed', async () => {
    const dir = writeKind(join(tempDir(), 'small'), smallKind({files: []}), {'shared.txt': 'shared\n'})
    symlinkSync(join(dir, 'files', 'shared.txt'), join(dir, 'files', 'again.txt'))
    expect(text(await render(dir), 'again.txt')).toBe('shared\n')
  })
})

describe('the search path', () => {
  test('VAULTKIT_TEMPLATE_PATH and the config file under XDG_CONFIG_HOME both add kinds', async () => {
    const root = tempDir()
    writeKind(join(root, 'env-kinds', 'from-env'), smallKind({name: 'from-env'}), SMALL_FILES)
    writeKind(join(root, 'config-kinds', 'from-config'), smallKind({name: 'from-config'}), SMALL_FILES)
    mkdirSync(join(root, 'xdg', 'vaultkit'), {recursive: true})
    writeFileSync(join(root, 'xdg', 'vaultkit', 'config.json'), JSON.stringify({templatePath: ['../../config-kinds']}))
    const {kinds} = discoverKinds({env: {VAULTKIT_TEMPLATE_PATH: join(root, 'env-kinds'), XDG_CONFIG_HOME: join(root, 'xdg')}})
    expect(kinds.map((k) => [k.manifest.name, k.source])).toEqual([
      ['auth', 'builtin'],
      ['database', 'builtin'],
      ['from-config', 'config'],
      ['from-env', 'template-path'],
      ['secrets', 'builtin'],
    ])
  })

  test('a missing folder and a broken config file are errors naming where they come from', async () => {
    const root = tempDir()
    expect(() => discoverKinds({env: {VAULTKIT_TEMPLATE_PATH: join(root, 'none')}})).toThrow(`${join(root, 'none')} (from VAULTKIT_TEMPLATE_PATH) does not exist`)
    mkdirSync(join(root, 'vaultkit'))
    writeFileSync(join(root, 'vaultkit', 'config.json'), '{"templatePath": "kinds"}')
    expect(() => discoverKinds({env: {XDG_CONFIG_HOME: root}})).toThrow(`${join(root, 'vaultkit', 'config.json')}: field "templatePath" must be a list of folders`)
  })

  test('the same folder on the path and in --template is one kind', async () => {
    const root = tempDir()
    const dir = writeKind(join(root, 'small'), smallKind(), SMALL_FILES)
    const {kinds, selected} = discoverKinds({template: dir, env: {VAULTKIT_TEMPLATE_PATH: root}})
    expect(kinds.filter((k) => k.manifest.name === 'small')).toEqual([selected])
  })
})
