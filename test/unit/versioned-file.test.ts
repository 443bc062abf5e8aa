import {mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {UserError} from '../../src/lib/errors.js'
import {isOwnPluginDirectory} from '../../src/lib/registration/register.js'
import {placeBesideBuild} from '../../src/lib/registration/versioned-file.js'
import {tempDir, unwritableDir} from '../helpers.js'

describe('the versioned file beside the build', () => {
  test('is a hard link beside it, made once', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'vault-plugin-secrets-hello'), 'build', {mode: 0o755})
    expect(await placeBesideBuild(join(dir, 'vault-plugin-secrets-hello'), 'v0.1.0')).toEqual({command: 'vault-plugin-secrets-hello_v0.1.0', placed: true})
    expect(await placeBesideBuild(join(dir, 'vault-plugin-secrets-hello'), 'v0.1.0')).toEqual({command: 'vault-plugin-secrets-hello_v0.1.0', placed: false})
  })

  test('a plugin directory that cannot be written (root-owned, read-only): one line naming it and what to do', async () => {
    const dir = unwritableDir({'vault-plugin-secrets-hello': 'build'})
    const placing = placeBesideBuild(join(dir, 'vault-plugin-secrets-hello'), 'v0.1.0')
    await expect(placing).rejects.toBeInstanceOf(UserError)
    await expect(placing).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`^vault-plugin-secrets-hello_v0\\.1\\.0 cannot be written into the plugin directory ${dir} \\((EPERM|EACCES)\\)$`)),
      hint: 'make that directory writable by this user (or free space on its disk), then register again',
    })
    expect(readdirSync(dir)).toEqual(['vault-plugin-secrets-hello'])
  })
})

describe("the project's own plugin directory (the only one a single server's versioned file is written into)", () => {
  test('the same folder, also through a symlink: own; another folder, or one the server does not show: not', async () => {
    const root = tempDir()
    const plugins = join(root, 'vault/plugins')
    mkdirSync(plugins, {recursive: true})
    symlinkSync(plugins, join(root, 'link'))
    mkdirSync(join(root, 'other'))
    expect(await isOwnPluginDirectory(plugins, plugins)).toBe(true)
    expect(await isOwnPluginDirectory(join(root, 'link'), plugins)).toBe(true)
    expect(await isOwnPluginDirectory(join(root, 'other'), plugins)).toBe(false)
    expect(await isOwnPluginDirectory('/etc/vault/plugins', plugins)).toBe(false)
    expect(await isOwnPluginDirectory(undefined, plugins)).toBe(false)
  })
})
