import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {UserError} from '../../src/lib/errors.js'
import {installEverywhere} from '../../src/lib/registration/register-cluster.js'
import type {ClusterNode} from '../../src/lib/vault/cluster-state.js'
import {smallDisk, tempDir} from '../helpers.js'

// Real folders for the nodes' plugin directories; no Vault is needed to put the binary into them.
const node = (id: string, pluginDir: string): ClusterNode => ({id, apiPort: 0, clusterPort: 0, pid: 0, dir: pluginDir, configFile: '', pluginDir, logFile: ''})

function build(size = 1 << 20): string {
  const dir = tempDir()
  writeFileSync(join(dir, 'vault-plugin-secrets-hello'), randomBytes(size), {mode: 0o755})
  return join(dir, 'vault-plugin-secrets-hello')
}

function pluginDir(): string {
  const dir = join(tempDir(), 'plugins')
  mkdirSync(dir)
  return dir
}

describe('the binary put into every node of a cluster', () => {
  test('a copy that fills the disk midway leaves no half-copied file there, and nothing is switched', async () => {
    const first = pluginDir()
    // Another disk (no hard link): a copy, and 256 KiB cannot hold the 1 MiB binary.
    const full = smallDisk('256k')
    const installing = installEverywhere([node('node-1', first), node('node-2', full)], {binary: build(), version: 'v0.1.0'})
    await expect(installing).rejects.toBeInstanceOf(UserError)
    await expect(installing).rejects.toThrow(`The binary cannot be put in the plugin directory of node-2 (${full}: ENOSPC); nothing was registered`)
    expect(readdirSync(full)).toEqual([])
    expect(readdirSync(first)).toEqual([])
  })

  test('a rename that fails halfway: one line naming the nodes already switched, no staged file left', async () => {
    const [first, second] = [pluginDir(), pluginDir()]
    // Something that is no file where node-2's versioned file goes: its rename fails after node-1's.
    mkdirSync(join(second, 'vault-plugin-secrets-hello_v0.1.0', 'taken'), {recursive: true})
    const binary = build()
    const installing = installEverywhere([node('node-1', first), node('node-2', second)], {binary, version: 'v0.1.0'})
    await expect(installing).rejects.toBeInstanceOf(UserError)
    await expect(installing).rejects.toThrow(
      new RegExp(`^The binary could not be renamed into place in ${second}/vault-plugin-secrets-hello_v0\\.1\\.0 on node-2 \\(E[A-Z]+\\); the new file is already in place on node-1; nothing was registered$`),
    )
    expect(statSync(join(first, 'vault-plugin-secrets-hello_v0.1.0')).ino).toBe(statSync(binary).ino)
    expect(readdirSync(second)).toEqual(['vault-plugin-secrets-hello_v0.1.0'])
  })
})
