import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'

import {GoBuildProgress} from '../../src/lib/vault/install/build-progress.js'
import {tempDir} from '../helpers.js'

describe('the count of packages a go build compiled', () => {
  // A fresh module (its own packages are new to Go's build cache) built by the real toolchain.
  it('counts the packages `go build -v` names, out of `go list -deps`, and nothing else it prints', async () => {
    const dir = tempDir()
    const nonce = `${process.pid}${Date.now()}`
    writeFileSync(join(dir, 'go.mod'), 'module example.com/progress\n\ngo 1.22\n')
    for (const name of ['a', 'b']) {
      mkdirSync(join(dir, name))
      writeFileSync(join(dir, name, `${name}.go`), `package ${name}\n\nconst Nonce = "${nonce}${name}"\n`)
    }
    writeFileSync(join(dir, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/progress/a"\n\t"example.com/progress/b"\n)\n\nfunc main() { fmt.Println(a.Nonce, b.Nonce) }\n')
    const deps = (await execa('go', ['list', '-deps', '.'], {cwd: dir})).stdout.split('\n')
    expect(deps).toContain('fmt')
    const started = performance.now()
    const progress = new GoBuildProgress(deps, started)
    const build = await execa('go', ['build', '-v', '-o', join(dir, 'out'), '.'], {cwd: dir, env: {GOFLAGS: '-mod=mod'}})
    const lines = ['go: downloading example.com/other v1.0.0', ...build.stderr.split('\n')]
    const counted = lines.filter((line) => progress.line(line))
    // The standard library is in the build cache already; the module's own three packages are not.
    expect(counted.sort()).toEqual(['example.com/progress', 'example.com/progress/a', 'example.com/progress/b'])
    expect(progress.status(started + 1000)).toBe(`3/${deps.length} packages, 1s`)
  })
})
