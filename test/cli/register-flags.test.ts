import {describe, expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'

// How plugin register turns its flags into one of its three modes, and what it says when they do not add up.
// Each refusal comes before any Vault is asked: VAULT_ADDR points nowhere, and the message is about the flags.
const nowhere = {VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: 'x'}

/** oclif wraps its usage errors to the terminal width and marks lines with ›. */
const flat = (text: string) => text.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')

const register = (args: string[]) => runCli(['plugin', 'register', '--project', tempDir(), ...args], {env: nowhere})

describe('plugin register flags', () => {
  test.each([
    [['--binary', '/tmp/x', '--name', 'x'], 'Error: --type is missing: pass --type secrets, auth or database with --binary or --sha256'],
    [['--binary', '/tmp/x', '--type', 'auth'], 'Error: --name is missing: pass the catalog name to register the plugin under'],
    [['--sha256', 'a'.repeat(64), '--type', 'secret', '--name', 'x'], "Error: --sha256 needs --command: pass the file name of the binary in the server's plugin directory"],
  ])('%j', async (args, message) => {
    const result = await register(args)
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim()).toBe(message)
  })

  test('--binary and --sha256 together are a usage error', async () => {
    const result = await register(['--binary', '/tmp/x', '--sha256', 'a'.repeat(64), '--type', 'secret', '--name', 'x'])
    expect(result.exitCode).toBe(2)
    expect(flat(result.stderr)).toMatch(/--sha256=a{64} cannot also be provided when using --binary/)
  })

  test('a type that is no type lists the words it takes', async () => {
    const result = await register(['--binary', '/tmp/x', '--type', 'secretz', '--name', 'x'])
    expect(result.exitCode).toBe(2)
    expect(flat(result.stderr)).toMatch(/Expected --type=secretz to be one of: secrets, secret, auth, database/)
  })

  test.each([['secrets'], ['secret']])('--type %s is a secrets engine: the next problem is the missing file, not the word', async (word) => {
    const result = await register(['--binary', '/tmp/vaultkit-no-such-binary', '--type', word, '--name', 'x'])
    expect(result.stderr.trim()).toBe('Error: /tmp/vaultkit-no-such-binary does not exist: check the path, or build it first')
  })

  test('a sha256 that is not one is refused before anything is sent', async () => {
    const result = await register(['--sha256', 'abc', '--command', 'x', '--type', 'auth', '--name', 'x', '--plugin-version', '1.0.0'])
    expect(result.stderr.trim()).toBe('Error: "abc" is not a hex SHA-256: give the 64 hex digits that `sha256sum` prints')
  })

  test('without --binary or --sha256 the project is read: outside one, that is the error', async () => {
    const result = await register([])
    expect(result.stderr.trim()).toMatch(/^Error: .* is not a Go module \(no go\.mod\): cd into a plugin's repository, or create one with `vaultkit plugin new`$/)
  })
})
