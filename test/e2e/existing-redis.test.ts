import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createConnection} from 'node:net'
import {dirname, join} from 'node:path'
import {type ResultPromise, execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {freePort, runCli, until} from '../helpers.js'
import {EXISTING_PLUGINS, cloneOfModule} from '../existing-plugins.js'
import {type DevServer, type Running, installVault, readServerState, startVaultkit, vaultHttp} from './vault.js'

// HashiCorp's Redis database plugin, taken in with plugin init, behind Vault's database engine in plugin
// dev, against a real redis-server (Debian's) run as a local process with a password on its default user.
const PASSWORD = 'redis-admin-password'
let repo: string
let redis: ResultPromise | undefined
let port: number
let dev: Running | undefined
let server: DevServer

/** One command to Redis over its own protocol (RESP), on a fresh connection after AUTH: the first reply line of each. */
function redisAs(user: string, password: string, ...command: string[]): Promise<string[]> {
  const encode = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
  return new Promise((resolve, reject) => {
    const socket = createConnection({host: '127.0.0.1', port})
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString()
      const lines = data.split('\r\n').filter((line) => /^[+\-:$*]/.test(line))
      if (lines.length >= 2) {
        socket.end()
        resolve(lines.slice(0, 2))
      }
    })
    socket.on('error', reject)
    socket.write(encode(['AUTH', user, password]) + encode(command))
  })
}

beforeAll(async () => {
  await installVault()
  port = await freePort()
  redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'], {reject: false})
  await until('redis-server to answer', async () => (await redisAs('default', PASSWORD, 'PING').catch(() => []))[1] === '+PONG', 30_000)
  repo = await cloneOfModule(EXISTING_PLUGINS.redis)
  process.env.VAULTKIT_DB_PASSWORD = PASSWORD
}, 1_800_000)

afterAll(async () => {
  delete process.env.VAULTKIT_DB_PASSWORD
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT')
    await dev
  }
  if (repo) {
    await runCli(['server', 'stop', '--project', repo])
    rmSync(dirname(repo), {recursive: true, force: true})
  }
  redis?.kill()
  await redis
})

describe("HashiCorp's vault-plugin-database-redis, taken into vaultkit", () => {
  test('plugin init --yes describes a database plugin and how Vault connects to Redis', {timeout: 600_000}, async () => {
    const result = await runCli(['plugin', 'init', '--yes', '--json', '--project', repo])
    expect(result.exitCode, result.stderr).toBe(0)
    const {description} = JSON.parse(result.stdout)
    expect(description).toMatchObject({
      main: './cmd/vault-plugin-database-redis',
      type: 'database',
      name: 'redis',
      version: {from: 'none'},
      database: {config: {host: '127.0.0.1', port: 6379, username: 'default'}},
    })
    expect(readFileSync(join(repo, '.vaultkit.json'), 'utf8')).not.toContain(PASSWORD)
    // What the README says to change by hand: this Redis listens on another port.
    const file = join(repo, '.vaultkit.json')
    writeFileSync(file, readFileSync(file, 'utf8').replace('"port": 6379', `"port": ${port}`))
  })

  test('plugin dev serves it: database/creds/redis gives a user who can AUTH and read, and not write', {timeout: 600_000}, async () => {
    dev = startVaultkit(['plugin', 'dev', '--project', repo])
    await dev.waitFor(/Watching for changes/, 600_000)
    expect(dev.output).toMatch(/✔ ready: .*GET database\/creds\/redis/)
    expect(dev.output).not.toContain(PASSWORD)
    server = readServerState(repo)
    const creds = (await vaultHttp(server, 'GET', 'database/creds/redis')).body.data
    expect(creds.username).toMatch(/^V_/i)
    expect(await redisAs(creds.username, creds.password, 'GET', 'anything')).toEqual(['+OK', '$-1'])
    expect((await redisAs(creds.username, creds.password, 'SET', 'anything', 'x'))[1]).toMatch(/^-NOPERM/)
  })

  test('an edit of a Go file is rebuilt, registered and reloaded; new credentials still work', {timeout: 600_000}, async () => {
    const from = dev!.output.length
    // A change Vault shows: the plugin's message for a creation statement that is not JSON.
    const source = join(repo, 'redis.go')
    writeFileSync(source, readFileSync(source, 'utf8').replace('error unmarshalling REDIS rules', 'error unmarshalling the Redis ACL rules'))
    await dev!.waitFor(/✔ changed redis\.go: .*\(reloaded\)/, 300_000, from)
    const creds = (await vaultHttp(server, 'GET', 'database/creds/redis')).body.data
    expect(await redisAs(creds.username, creds.password, 'GET', 'anything')).toEqual(['+OK', '$-1'])
    // The config allows the dev role alone: its statement is broken for one request, then put back.
    const role = (await vaultHttp(server, 'GET', 'database/roles/redis')).body.data
    expect((await vaultHttp(server, 'POST', 'database/roles/redis', {...role, creation_statements: ['not json']})).status).toBe(204)
    const refused = await vaultHttp(server, 'GET', 'database/creds/redis')
    expect(JSON.stringify(refused.body.errors)).toMatch(/error unmarshalling the Redis ACL rules/)
    expect((await vaultHttp(server, 'POST', 'database/roles/redis', role)).status).toBe(204)
    dev!.kill('SIGINT')
    await dev
  })

  test('plugin docs documents the engine\'s paths for it, and says that it lists no connection settings', {timeout: 600_000}, async () => {
    const result = await runCli(['plugin', 'docs', '--project', repo])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Wrote .*docs\/api\.md \(6 paths\)$/m)
    const text = readFileSync(join(repo, 'docs/api.md'), 'utf8')
    expect(text.startsWith('# vault-plugin-database-redis API\n')).toBe(true)
    expect(text).toContain('The plugin does not list its connection settings')
    expect(text).toContain('"plugin_name": "redis"')
    // The engine's fields only: Redis's own (host, port, tls...) are the plugin's to describe.
    expect(text).toMatch(/^\| `verify_connection` \|/m)
    expect(text).not.toMatch(/^\| `host` \|/m)
    expect(result.stdout + result.stderr).not.toContain(PASSWORD)
  })

  test('a new build that plugin docs puts in the catalog is what a configured connection runs next', {timeout: 600_000}, async () => {
    expect((await runCli(['server', 'start', '--project', repo])).exitCode).toBe(0)
    try {
      expect((await runCli(['plugin', 'register', '--project', repo])).exitCode).toBe(0)
      server = readServerState(repo)
      const source = join(repo, 'redis.go')
      writeFileSync(source, readFileSync(source, 'utf8').replace('error unmarshalling the Redis ACL rules', 'the Redis ACL rules are not JSON'))
      const result = await runCli(['plugin', 'docs', '--project', repo])
      expect(result.exitCode, result.stderr).toBe(0)
      // The connection restarted on the build docs registered: a register of the same build changes nothing.
      const role = (await vaultHttp(server, 'GET', 'database/roles/redis')).body.data
      expect((await vaultHttp(server, 'POST', 'database/roles/redis', {...role, creation_statements: ['not json']})).status).toBe(204)
      expect(JSON.stringify((await vaultHttp(server, 'GET', 'database/creds/redis')).body.errors)).toMatch(/the Redis ACL rules are not JSON/)
    } finally {
      await runCli(['server', 'stop', '--project', repo])
    }
  })
})
