import {spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {resolveConnection} from '../../src/lib/vault/connection.js'
import {writeState} from '../../src/lib/vault/state.js'
import {tempDir} from '../helpers.js'

// A stand-in for the project's dev server process: resolveConnection only asks whether the pid in the state
// file is a `vault server -dev` on the recorded port, which it reads from /proc/<pid>/cmdline.
const port = 18207
let server: ReturnType<typeof spawn>
beforeAll(() => {
  server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'server', `-dev-listen-address=127.0.0.1:${port}`], {stdio: 'ignore'})
})
afterAll(() => void server.kill())

async function projectWithServer(): Promise<string> {
  const project = tempDir()
  await writeState(project, {
    addr: `http://127.0.0.1:${port}`, token: 'dev-root-token', pid: server.pid!, port,
    logFile: '', pluginDir: '', vaultBin: '', startedAt: new Date().toISOString(),
  })
  return project
}

/** A HOME with or without ~/.vault-token, as the vault CLI writes it. */
function home(token?: string): string {
  const dir = tempDir()
  if (token !== undefined) writeFileSync(join(dir, '.vault-token'), `${token}\n`)
  return dir
}

describe('resolveConnection: flag, then VAULT_ADDR and its token, then the project dev server', () => {
  const resolveIn = async (options: {addr?: string; projectDir?: string; env: NodeJS.ProcessEnv; home?: string}) => {
    const saved = process.env.HOME
    process.env.HOME = options.home ?? home()
    try {
      return await resolveConnection(options)
    } finally {
      process.env.HOME = saved
    }
  }

  test('--vault-addr wins over VAULT_ADDR and the dev server; its token comes from VAULT_TOKEN', async () => {
    const projectDir = await projectWithServer()
    const c = await resolveIn({addr: 'https://vault.example.com/', projectDir, env: {VAULT_ADDR: 'http://other:8200', VAULT_TOKEN: 'env-token'}})
    expect(c).toMatchObject({addr: 'https://vault.example.com', token: 'env-token', source: '--vault-addr', kind: 'given'})
  })

  test('VAULT_ADDR wins over the dev server, with VAULT_NAMESPACE and VAULT_CACERT', async () => {
    const projectDir = await projectWithServer()
    const c = await resolveIn({projectDir, env: {VAULT_ADDR: 'http://other:8200', VAULT_TOKEN: 't', VAULT_NAMESPACE: 'team', VAULT_CACERT: '/ca.pem'}})
    expect(c).toEqual({addr: 'http://other:8200', token: 't', source: 'VAULT_ADDR', kind: 'given', namespace: 'team', caCert: '/ca.pem'})
  })

  test('without an address the dev server is used, and namespace and CA settings meant for another Vault are not', async () => {
    const projectDir = await projectWithServer()
    const c = await resolveIn({projectDir, env: {VAULT_TOKEN: 'other-token', VAULT_NAMESPACE: 'team', VAULT_CACERT: '/ca.pem'}})
    expect(c).toEqual({addr: `http://127.0.0.1:${port}`, token: 'dev-root-token', source: 'the dev server of this project', kind: 'dev-server'})
  })

  test('VAULT_ADDR set to the dev server (server env) without a token: the dev server with its own token', async () => {
    const projectDir = await projectWithServer()
    const c = await resolveIn({projectDir, env: {VAULT_ADDR: `http://127.0.0.1:${port}/`}, home: home('file-token')})
    expect(c).toMatchObject({token: 'dev-root-token', source: 'the dev server of this project', kind: 'dev-server'})
  })

  test('VAULT_ADDR set to the dev server with a VAULT_TOKEN: that token, as the vault CLI would use', async () => {
    const projectDir = await projectWithServer()
    const c = await resolveIn({projectDir, env: {VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_TOKEN: 'limited'}})
    // The token is not the dev server's own, so it is a Vault given like any other.
    expect(c).toMatchObject({token: 'limited', source: 'VAULT_ADDR', kind: 'given'})
  })

  test('~/.vault-token when VAULT_TOKEN is unset; VAULT_TOKEN when both are there', async () => {
    expect(await resolveIn({env: {VAULT_ADDR: 'http://v:8200'}, home: home('file-token')})).toMatchObject({token: 'file-token'})
    expect(await resolveIn({env: {VAULT_ADDR: 'http://v:8200', VAULT_TOKEN: 'env'}, home: home('file-token')})).toMatchObject({token: 'env'})
  })

  test('an address without any token is one line that says where a token comes from', async () => {
    await expect(resolveIn({env: {VAULT_ADDR: 'http://v:8200'}})).rejects.toMatchObject({
      message: 'No token for Vault at http://v:8200',
      hint: 'set VAULT_TOKEN, or run `vault login` to write ~/.vault-token',
    })
  })

  test('nothing at all: no Vault, and how to get one', async () => {
    const projectDir = tempDir()
    mkdirSync(join(projectDir, '.vaultkit'))
    await expect(resolveIn({projectDir, env: {}})).rejects.toMatchObject({
      message: 'There is no Vault to talk to',
      hint: 'start a dev server with `vaultkit server start`, or set VAULT_ADDR and VAULT_TOKEN',
    })
  })

  test('a state file whose process is gone is no dev server', async () => {
    const projectDir = tempDir()
    await writeState(projectDir, {addr: 'http://127.0.0.1:1', token: 'x', pid: 2 ** 22 + 7, port: 1, logFile: '', pluginDir: '', vaultBin: '', startedAt: ''})
    await expect(resolveIn({projectDir, env: {}})).rejects.toMatchObject({message: 'There is no Vault to talk to'})
  })
})
