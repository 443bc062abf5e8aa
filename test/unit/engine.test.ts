import {readdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {expect, onTestFinished, test} from 'vitest'

import {templateKey} from '../../src/lib/templates/compile-options.js'
import {compileTemplate, loadCompiler, loadPrecompiled, renderString} from '../../src/lib/templates/engine.js'
import {builtinLayers, listKinds} from '../../src/lib/templates/kinds.js'
import {layeredFiles} from '../../src/lib/templates/render.js'

const context = {
  name: 'hello',
  binaryName: 'vault-plugin-secrets-hello',
  goPackage: 'hello',
  kind: 'secrets',
  pluginType: 'secret',
  typeNoun: 'secrets engine',
  module: 'example.com/x',
  version: '0.1.0',
  description: 'A "quoted" <description> & more',
  go: {goDirective: '1.26.0', goToolchain: '1.26.10', sdk: 'v0', api: 'v1', hclog: 'v1', crypto: 'v0', pgx: 'v5', parseutil: 'v0', staticcheck: 'v0', govulncheck: 'v1', floors: []},
  vaultkit: {version: '0.1.0'},
}

test('the build precompiled every built-in template, and each renders as the compiler would', async () => {
  const {compile} = await loadCompiler()
  const expectedLayers: Record<string, string[]> = {
    secrets: ['common', 'framework', 'secrets'],
    auth: ['common', 'framework', 'auth'],
    database: ['common', 'database'],
  }
  for (const kind of listKinds()) {
    const layers = builtinLayers(kind)
    expect(layers).toEqual(expectedLayers[kind.manifest.name])
    for (const file of [...layeredFiles(kind).values()].filter((f) => f.stored.endsWith('.hbs'))) {
      const source = readFileSync(file.absolute, 'utf8')
      const layer = basename(file.absolute.slice(0, -`/files/${file.stored}`.length))
      expect((await loadPrecompiled(kind.manifest.name)).has(templateKey(source)), `${layer}/${file.stored} is precompiled for ${kind.manifest.name}`).toBe(true)
      expect((await compileTemplate(source, layers))(context), file.stored).toBe(compile(source)(context))
    }
  }
})

test('a kind that extends none finds common precompiled on its own', async () => {
  const common = join(import.meta.dirname, '../../templates/common/files')
  const sources = readdirSync(common, {recursive: true, withFileTypes: true}).filter((e) => e.name.endsWith('.hbs'))
  expect(sources.length).toBeGreaterThan(3)
  for (const entry of sources) {
    expect((await loadPrecompiled('common')).has(templateKey(readFileSync(join(entry.parentPath, entry.name), 'utf8'))), entry.name).toBe(true)
  }
})

test('a built-in template is taken from its precompiled module, found by its key', async () => {
  const common = await loadPrecompiled('common')
  const source = readFileSync(join(import.meta.dirname, '../../templates/common/files/_gitignore.hbs'), 'utf8')
  // Another text under the key of "probe": rendering "probe" shows which one the engine used.
  common.set(templateKey('probe'), common.get(templateKey(source)))
  onTestFinished(() => void common.delete(templateKey('probe')))
  expect((await compileTemplate('probe', ['common']))(context)).toContain('/.vaultkit/')
})

test('an edited built-in template misses its precompiled entry and is compiled as it now reads', async () => {
  const source = readFileSync(join(import.meta.dirname, '../../templates/common/files/_gitignore.hbs'), 'utf8')
  expect((await loadPrecompiled('common')).has(templateKey(source))).toBe(true)
  const edited = source.replace('/.vaultkit/', '/.vaultkat/')
  expect(edited.length).toBe(source.length)
  expect(await compileTemplate(edited, ['common']).then((render) => render(context))).toContain('/.vaultkat/')
})

test('a template the build did not see is compiled at run time', async () => {
  await expect(renderString('{{pascalCase name}}Backend', context, 'inline')).resolves.toBe('HelloBackend')
})

test('values are not HTML-escaped (noEscape)', async () => {
  await expect(renderString('{{description}}', context, 'inline')).resolves.toBe('A "quoted" <description> & more')
})

test('a missing value is an error naming the template (strict)', async () => {
  await expect(renderString('{{nope}}', context, join('secrets', 'files', 'x.hbs'))).rejects.toThrow(
    /^Template secrets\/files\/x.hbs failed to render: "nope" not defined/,
  )
})

test("Vault's own {{name}} survives when escaped as \\{{name}}", async () => {
  await expect(renderString('CREATE ROLE "\\{{name}}" -- {{name}}', context, 'inline')).resolves.toBe('CREATE ROLE "{{name}}" -- hello')
})
