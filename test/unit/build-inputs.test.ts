import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'

import {buildInputs} from '../../src/lib/project/build-inputs.js'
import {tempDir} from '../helpers.js'

// The fingerprint of what a go build reads: it moves with what go would rebuild for, and is not told where
// the project alone cannot tell it.
function module(files: Record<string, string> = {}): string {
  const dir = join(tempDir(), 'plugin')
  const all = {'go.mod': 'module example.com/p\n\ngo 1.26\n', 'main.go': 'package main\n\nfunc main() {}\n', 'README.md': '# p\n', ...files}
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return dir
}

const inputs = (dir: string, args = ['-trimpath', './cmd/p'], env = {CGO_ENABLED: '0'}) => buildInputs(dir, join(dir, 'vault/plugins'), args, env)

test('sources, go.mod, go.sum, args and the environment move it; a README, the builds and vaultkit state do not', async () => {
  const dir = module()
  const before = await inputs(dir)
  expect(before).toMatch(/^[0-9a-f]{64}$/)
  expect(await inputs(dir)).toBe(before)
  for (const [path, text] of [['README.md', '# p, said otherwise\n'], ['vault/plugins/p', 'a build'], ['.vaultkit/last-build.json', '{}'], ['.git/HEAD', 'ref']]) {
    mkdirSync(join(dir, path!, '..'), {recursive: true})
    writeFileSync(join(dir, path!), text!)
  }
  expect(await inputs(dir)).toBe(before)
  expect(await inputs(dir, ['-trimpath', '-gcflags=all=-N -l', './cmd/p'])).not.toBe(before)
  for (const [path, text] of [['.go-version', '1.26.10\n'], ['main.go', 'package main\n\nfunc main() { println() }\n'], ['go.sum', 'x v1 h1:y\n'], ['asm_amd64.s', '// asm\n'], ['internal/x/x.go', 'package x\n']]) {
    const changed = module({[path!]: text!})
    expect(await inputs(changed), path).not.toBe(before)
  }
})

test('with a //go:embed, every file counts', async () => {
  const dir = module({'main.go': 'package main\n\nimport _ "embed"\n\n//go:embed README.md\nvar readme string\n\nfunc main() {}\n'})
  const before = await inputs(dir)
  writeFileSync(join(dir, 'README.md'), '# p, said otherwise\n')
  expect(await inputs(dir)).not.toBe(before)
})

test('not told with cgo (the system\'s C headers and libraries count), a go.work, or a replace to a folder outside the project; told with one inside', async () => {
  expect(await inputs(module(), undefined, {CGO_ENABLED: '1'})).toBeUndefined()
  const work = module()
  writeFileSync(join(work, 'go.work'), 'go 1.26\n\nuse .\n')
  expect(await inputs(work)).toBeUndefined()
  expect(await inputs(module({'go.mod': 'module example.com/p\n\ngo 1.26\n\nreplace example.com/q => ../q\n'}))).toBeUndefined()
  expect(await inputs(module({'go.mod': 'module example.com/p\n\ngo 1.26\n\nreplace (\n\texample.com/q => /opt/q\n)\n'}))).toBeUndefined()
  expect(await inputs(module({'go.mod': 'module example.com/p\n\ngo 1.26\n\nreplace example.com/q => ./third_party/q\n'}))).toMatch(/^[0-9a-f]{64}$/)
  expect(await inputs(module({'go.mod': 'module example.com/p\n\ngo 1.26\n\nreplace example.com/q => example.com/r v1.2.3\n'}))).toMatch(/^[0-9a-f]{64}$/)
})
