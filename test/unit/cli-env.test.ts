import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {cliCommand, shellEnv} from '../../src/lib/vault/cli-env.js'
import {tempDir} from '../helpers.js'

function executable(dir: string, name: string): string {
  mkdirSync(dir, {recursive: true})
  const file = join(dir, name)
  writeFileSync(file, '#!/bin/sh\n')
  chmodSync(file, 0o755)
  return file
}

const server = (vaultBin: string) => ({addr: 'http://127.0.0.1:8300', token: 'vk-dev-token', vaultBin})

describe('server env: the vault binary on PATH', () => {
  test('a binary PATH does not find is put first on PATH', async () => {
    const cache = join(tempDir(), 'cache dir')
    const bin = executable(cache, 'vault')
    const env = await shellEnv(server(bin), {PATH: '/usr/bin:/bin'})
    expect(env.lines).toEqual(['export VAULT_ADDR=http://127.0.0.1:8300', 'export VAULT_TOKEN=vk-dev-token', `export PATH='${cache}':"$PATH"`])
    expect(env.pathDir).toBe(cache)
  })

  test('another vault earlier on PATH is overridden', async () => {
    const root = tempDir()
    executable(join(root, 'other'), 'vault')
    const bin = executable(join(root, 'cache'), 'vault')
    const env = await shellEnv(server(bin), {PATH: join(root, 'other')})
    expect(env.pathDir).toBe(join(root, 'cache'))
  })

  test('PATH is left alone when it already finds this binary, also through a symlink', async () => {
    const root = tempDir()
    const bin = executable(join(root, 'cache'), 'vault')
    mkdirSync(join(root, 'bin'))
    symlinkSync(bin, join(root, 'bin', 'vault'))
    const env = await shellEnv(server(bin), {PATH: `${join(root, 'bin')}:/usr/bin`})
    expect(env.lines).toHaveLength(2)
    expect(env.pathDir).toBeUndefined()
  })

  test('OpenBao: bao on PATH and the BAO_ variables too', async () => {
    const bin = executable(tempDir(), 'bao')
    const env = await shellEnv(server(bin), {PATH: '/usr/bin'})
    expect(env.lines).toContain('export BAO_ADDR=http://127.0.0.1:8300')
    expect(env.lines).toContain('export BAO_TOKEN=vk-dev-token')
    expect(env.lines.at(-1)).toMatch(/^export PATH=/)
    expect(cliCommand(bin)).toBe('bao')
  })

  test('a binary with another name cannot be found through PATH: a note says what to do, commands use its path', async () => {
    const bin = executable(join(tempDir(), 'my tools'), 'vault-1.21')
    const env = await shellEnv(server(bin), {PATH: '/usr/bin'})
    expect(env.lines).toHaveLength(2)
    expect(env.note).toMatch(/is not named vault, so PATH cannot find it: run it by its path/)
    expect(cliCommand(bin)).toBe(`'${bin}'`)
    expect(cliCommand('/cache/vault')).toBe('vault')
  })
})
