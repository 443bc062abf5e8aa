import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, test} from 'vitest'

import {listKinds} from '../../src/lib/templates/kinds.js'
import {firstProblem, manifestSchema, SCHEMA_FILE} from '../../src/lib/templates/schema.js'
import {EXAMPLE_KIND, smallKind} from '../kinds.js'

// vaultkit walks its own schema at run time (no compiler on the start-up path); ajv, a full JSON Schema
// 2020-12 validator, must agree with it on every manifest here, valid or not, and on where each breaks.
const ajv = new Ajv2020({allErrors: true, allowUnionTypes: true})
ajv.addKeyword({keyword: 'errorMessage', schemaType: 'string'})
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')))

const minimal = {name: 'x', description: 'd', pluginType: 'auth'}
const question = (fields: object) => ({...minimal, questions: [{name: 'q', type: 'string', message: 'Q?', ...fields}]})

const builtins = listKinds().map((k) => JSON.parse(readFileSync(join(k.dir, 'template.json'), 'utf8')))
const valid: object[] = [
  ...builtins,
  JSON.parse(readFileSync(join(EXAMPLE_KIND, 'template.json'), 'utf8')),
  smallKind(),
  minimal,
  {...minimal, $schema: '../schema/template.schema.json', postSteps: [], questions: [], files: [], commands: []},
  question({default: 'a', pattern: 'a+', when: 'other'}),
  question({type: 'choice', choices: ['a', 'b'], default: 'b'}),
  question({type: 'confirm', default: false}),
  {...minimal, commands: [{run: 'make fmt', when: 'q'}], files: [{path: 'dir/sub/', when: 'q'}]},
  {...minimal, extends: 'auth', files: [{path: 'a..b/c.go', when: 'q'}]},
]

const invalid: [object | unknown, string][] = [
  [[], ''],
  ['text', ''],
  [{...minimal, extra: 1}, 'extra'],
  [{description: 'd', pluginType: 'auth'}, 'name'],
  [{...minimal, name: 'Secrets'}, 'name'],
  [{...minimal, name: 'a'.repeat(41)}, 'name'],
  [{...minimal, name: 7}, 'name'],
  [{...minimal, description: ''}, 'description'],
  [{...minimal, description: '   '}, 'description'],
  [{...minimal, pluginType: 'secrets'}, 'pluginType'],
  [{...minimal, extends: 'kv'}, 'extends'],
  [{...minimal, postSteps: ['rm -rf /']}, 'postSteps/0'],
  [{...minimal, postSteps: ['git-init', 'git-init']}, 'postSteps'],
  [{...minimal, postSteps: 'git-init'}, 'postSteps'],
  [{...minimal, questions: {}}, 'questions'],
  [question({type: 'number'}), 'questions/0/type'],
  [question({name: 'With-Creds'}), 'questions/0/name'],
  [question({message: ''}), 'questions/0/message'],
  [question({unknown: true}), 'questions/0/unknown'],
  [{...minimal, questions: [{name: 'q', type: 'string'}]}, 'questions/0/message'],
  [question({default: 3}), 'questions/0/default'],
  [question({default: true}), 'questions/0/default'],
  [question({choices: ['a']}), 'questions/0/choices'],
  [question({pattern: ''}), 'questions/0/pattern'],
  [question({type: 'choice'}), 'questions/0/choices'],
  [question({type: 'choice', choices: []}), 'questions/0/choices'],
  [question({type: 'choice', choices: ['a', 'a']}), 'questions/0/choices'],
  [question({type: 'choice', choices: ['a'], pattern: 'a'}), 'questions/0/pattern'],
  [question({type: 'choice', choices: ['a'], default: false}), 'questions/0/default'],
  [question({type: 'confirm', default: 'yes'}), 'questions/0/default'],
  [question({type: 'confirm', pattern: 'y'}), 'questions/0/pattern'],
  [question({when: ''}), 'questions/0/when'],
  [{...minimal, files: [{path: 'a.go'}]}, 'files/0/when'],
  [{...minimal, files: [{path: '../outside.go', when: 'q'}]}, 'files/0/path'],
  [{...minimal, files: [{path: 'a/../../b', when: 'q'}]}, 'files/0/path'],
  [{...minimal, files: [{path: '/etc/passwd', when: 'q'}]}, 'files/0/path'],
  [{...minimal, files: [{path: './a', when: 'q'}]}, 'files/0/path'],
  [{...minimal, files: [{path: 'a', when: 'q', mode: 1}]}, 'files/0/mode'],
  [{...minimal, commands: [{}]}, 'commands/0/run'],
  [{...minimal, commands: ['make fmt']}, 'commands/0'],
  [{...minimal, commands: [{run: ''}]}, 'commands/0/run'],
]

/** Every place ajv says the value breaks the schema, as "a/b/c" paths. */
function ajvFields(): string[] {
  return (validate.errors ?? []).map((e) => {
    const extra = (e.params as {missingProperty?: string; additionalProperty?: string}).missingProperty ?? (e.params as {additionalProperty?: string}).additionalProperty
    return [e.instancePath.slice(1), extra].filter(Boolean).join('/')
  })
}

describe('the schema walker agrees with ajv', () => {
  test.each(valid.map((m) => [JSON.stringify(m).slice(0, 80), m]))('valid: %s', (_label, manifest) => {
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true)
    expect(firstProblem(manifest)).toBeUndefined()
  })

  test.each(invalid.map(([m, field]) => [JSON.stringify(m).slice(0, 100), m, field]))('invalid: %s', (_label, manifest, field) => {
    expect(validate(manifest)).toBe(false)
    const problem = firstProblem(manifest)
    expect(problem?.field).toBe(field)
    expect(ajvFields()).toContain(field)
  })
})

test('the shipped schema is the one read at run time, and is itself valid JSON Schema', () => {
  expect(manifestSchema()).toEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')))
  expect(ajv.validateSchema(manifestSchema())).toBe(true)
})
