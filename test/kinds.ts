import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

export const EXAMPLE_KIND = join(import.meta.dirname, '../docs/examples/team-secrets')
export const EXAMPLE_ANSWERS = join(import.meta.dirname, '../docs/examples/team-secrets.answers.json')

/** Writes a kind folder: template.json (an object, or raw text for broken JSON) and files/. */
export function writeKind(dir: string, manifest: object | string, files: Record<string, string> = {}): string {
  mkdirSync(join(dir, 'files'), {recursive: true})
  writeFileSync(join(dir, 'template.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2))
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'files', path)), {recursive: true})
    writeFileSync(join(dir, 'files', path), contents)
  }
  return dir
}

/** A small valid kind over the secrets kind, with one question of each type. */
export const smallKind = (overrides: object = {}) => ({
  name: 'small',
  description: 'A small kind for tests',
  pluginType: 'secret',
  extends: 'secrets',
  questions: [
    {name: 'owner', type: 'string', message: 'Owner?', default: 'ops', pattern: '[a-z]+'},
    {name: 'storage', type: 'choice', message: 'Storage?', choices: ['memory', 'redis'], default: 'memory'},
    {name: 'withNotes', type: 'confirm', message: 'Notes?', default: true},
    {name: 'redisAddr', type: 'string', message: 'Redis address?', default: '127.0.0.1:6379', when: "storage == 'redis'"},
  ],
  files: [
    {path: 'NOTES.md.hbs', when: 'withNotes'},
    {path: 'redis', when: "storage == 'redis'"},
  ],
  ...overrides,
})

export const SMALL_FILES = {
  'NOTES.md.hbs': 'owner {{owner}} / {{answers.storage}}\n',
  'redis/ADDR.hbs': '{{redisAddr}}\n',
}
