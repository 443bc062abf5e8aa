import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import MarkdownIt from 'markdown-it'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {isOurServer} from '../../src/lib/vault/server.js'
import {readState} from '../../src/lib/vault/state.js'
import {runCli} from '../helpers.js'
import {installVault, scaffold} from './vault.js'

// `plugin docs` against the real Vault it starts: the docs/api.md a fresh project ships is what the plugin
// tells Vault (so the committed kinds' docs are goldens checked against Vault), --check catches a renamed
// field and names it, and bad input is one line with nothing written.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-docs-'))
let secrets: string
let auth: string
let database: string

beforeAll(async () => {
  await installVault()
  secrets = await scaffold('secrets', parent)
  auth = await scaffold('auth', parent)
  database = await scaffold('database', parent)
}, 1_800_000)

afterAll(async () => {
  for (const project of [secrets, auth, database]) await runCli(['server', 'stop', '--project', project])
  rmSync(parent, {recursive: true, force: true})
})

const docs = (project: string, ...args: string[]) => runCli(['plugin', 'docs', '--project', project, ...args])
const serverRunning = async (project: string) => {
  const state = await readState(project)
  return Boolean(state && isOurServer(state))
}

/** Headings (level and text) and every table's header row, as a CommonMark parser reads them. */
function structure(markdown: string) {
  const tokens = new MarkdownIt().parse(markdown, {})
  const headings: string[] = []
  const tables: string[][] = []
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') headings.push(`${token.tag} ${tokens[i + 1]!.content}`)
    if (token.type === 'thead_open') {
      const row: string[] = []
      for (let j = i; tokens[j]!.type !== 'thead_close'; j++) if (tokens[j]!.type === 'inline') row.push(tokens[j]!.content)
      tables.push(row)
    }
  })
  return {headings, tables}
}

describe('plugin docs', () => {
  for (const kind of ['secrets', 'auth', 'database'] as const) {
    test(`${kind}: the docs/api.md a new project ships is what the plugin tells Vault, and --check writes nothing`, async () => {
      const project = {secrets, auth, database}[kind]
      const shipped = readFileSync(join(project, 'docs/api.md'), 'utf8')
      const result = await docs(project, '--check')
      expect(result.exitCode, result.stdout + result.stderr).toBe(0)
      expect(result.stdout).toMatch(/docs\/api\.md matches the plugin \(\d+ paths\)$/m)
      expect(readFileSync(join(project, 'docs/api.md'), 'utf8')).toBe(shipped)
      expect(await serverRunning(project)).toBe(false)
    })
  }

  test('the reference parses as CommonMark: a section per path, operations under it, and their tables', () => {
    const {headings, tables} = structure(readFileSync(join(secrets, 'docs/api.md'), 'utf8'))
    expect(headings[0]).toBe('h1 vault-plugin-secrets-hello API')
    expect(headings.filter((h) => h.startsWith('h2 '))).toEqual(['h2 `/hello/config`', 'h2 `/hello/creds`', 'h2 `/hello/hello`'])
    expect(headings).toContain('h3 Issue a leased token')
    // Every operation has its method table; the ones with fields, a parameters table.
    expect(tables.filter((t) => t.join() === 'Method,Path')).toHaveLength(headings.filter((h) => h.startsWith('h3 ')).length)
    expect(tables.filter((t) => t.join() === 'Name,Type,Required,Default,Description').length).toBeGreaterThanOrEqual(2)
  })

  test('the write-only and sensitive api_key is marked; responses come from the schemas', () => {
    const text = readFileSync(join(secrets, 'docs/api.md'), 'utf8')
    expect(text).toMatch(/\| `api_key` \| string \| no \| {2}\| \*\*Sensitive\.\*\* \*\*Write-only:\*\* a read never returns it\./)
    expect(text).toContain('"token_id": "my-token-id"')
    expect(text).toContain('| `name` | string (query) | no | `"world"` | Who to greet. |')
  })

  test('a renamed field: --check exits 1 with a diff naming it and writes nothing; plugin docs fixes the file', async () => {
    const source = join(secrets, 'path_config.go')
    const original = readFileSync(source, 'utf8')
    writeFileSync(source, original.replaceAll('"custom_prefix"', '"greeting_prefix"'))
    const before = readFileSync(join(secrets, 'docs/api.md'), 'utf8')
    try {
      const check = await docs(secrets, '--check')
      expect(check.exitCode).toBe(1)
      expect(check.stdout).toMatch(/^-\| `custom_prefix` \|/m)
      expect(check.stdout).toMatch(/^\+\| `greeting_prefix` \|/m)
      expect(check.stderr).toContain('docs/api.md does not match the plugin: run `vaultkit plugin docs` and commit it')
      expect(readFileSync(join(secrets, 'docs/api.md'), 'utf8')).toBe(before)

      const write = await docs(secrets)
      expect(write.exitCode, write.stderr).toBe(0)
      expect(write.stdout).toMatch(/Wrote .*docs\/api\.md \(3 paths\)$/m)
      expect(readFileSync(join(secrets, 'docs/api.md'), 'utf8')).toContain('`greeting_prefix`')
      expect((await docs(secrets, '--check')).exitCode).toBe(0)
    } finally {
      writeFileSync(source, original)
      writeFileSync(join(secrets, 'docs/api.md'), before)
    }
  })

  test('--format json: the mount\'s OpenAPI document, paths under the mount and only the schemas they use, the same bytes twice', async () => {
    expect((await runCli(['server', 'start', '--project', secrets])).exitCode).toBe(0)
    try {
      const first = await docs(secrets, '--format', 'json', '--path', 'greet')
      expect(first.exitCode, first.stderr).toBe(0)
      const text = readFileSync(join(secrets, 'docs/openapi.json'), 'utf8')
      const doc = JSON.parse(text) as {info: {title: string}; paths: Record<string, unknown>; components: {schemas: Record<string, unknown>}}
      expect(doc.info.title).toBe('vault-plugin-secrets-hello')
      expect(Object.keys(doc.paths)).toEqual(['/greet/config', '/greet/creds', '/greet/hello'])
      // Only the schemas the paths use, each of them used.
      expect(Object.keys(doc.components.schemas)).toContain('HelloConfigureRequest')
      for (const name of Object.keys(doc.components.schemas)) expect(JSON.stringify(doc.paths)).toContain(`#/components/schemas/${name}"`)
      const second = await docs(secrets, '--format', 'json', '--path', 'greet')
      expect(second.stdout).toContain('docs/openapi.json is up to date')
      expect(readFileSync(join(secrets, 'docs/openapi.json'), 'utf8')).toBe(text)
      // --check's fix names the flags the file was written with.
      writeFileSync(join(secrets, 'docs/openapi.json'), '{}\n')
      const stale = await docs(secrets, '--format', 'json', '--path', 'greet', '--check')
      expect(stale.exitCode).toBe(1)
      expect(stale.stderr).toContain('does not match the plugin: run `vaultkit plugin docs --format json --path greet` and commit it')
      // A server it did not start is left running.
      expect(await serverRunning(secrets)).toBe(true)
    } finally {
      await runCli(['server', 'stop', '--project', secrets])
    }
  })

  test('database: the engine\'s paths for the plugin, with the connection settings it lists; no mount left behind', async () => {
    const text = readFileSync(join(database, 'docs/api.md'), 'utf8')
    const {headings, tables} = structure(text)
    expect(headings[0]).toBe('h1 vault-plugin-database-hello API')
    expect(headings.filter((h) => h.startsWith('h2 '))).toEqual(
      ['config', 'creds', 'roles', 'rotate-root', 'static-creds', 'static-roles'].map((path) => `h2 \`/database/${path}/{name}\``),
    )
    expect(tables.filter((t) => t.join() === 'Method,Path')).toHaveLength(headings.filter((h) => h.startsWith('h3 ')).length)
    // The plugin's settings beside the engine's own, and the sample a first connection needs.
    expect(text).toMatch(/^\| `connection_url` \| string \| yes \| {2}\| A postgres:\/\/ URL/m)
    expect(text).toMatch(/^\| `max_open_connections` \| integer \| no \| `4` \|/m)
    expect(text).toMatch(/^\| `password` \| string \| no \| {2}\| \*\*Sensitive\.\*\* \*\*Write-only:\*\* a read never returns it\./m)
    expect(text).toMatch(/^\| `verify_connection` \| boolean \| no \| `true` \|/m)
    expect(text).toContain('"plugin_name": "hello"')
    expect(text).toContain('$ vault read database/creds/my-role')

    // Against a running server with no database engine: the one mounted for the read is gone again.
    expect((await runCli(['server', 'start', '--project', database])).exitCode).toBe(0)
    try {
      const check = await docs(database, '--check')
      expect(check.exitCode, check.stderr).toBe(0)
      // A mount path as Vault lists it, with its slash, is the same engine path.
      const slashed = await docs(database, '--path', 'db/', '--out', join(parent, 'db-api.md'))
      expect(slashed.exitCode, slashed.stderr).toBe(0)
      expect(readFileSync(join(parent, 'db-api.md'), 'utf8')).toContain('$ vault read db/creds/my-role')
      const state = (await readState(database))!
      const mounts = execFileSync('curl', ['-sf', '-H', `X-Vault-Token: ${state.token}`, `${state.addr}/v1/sys/mounts`]).toString()
      expect(Object.keys(JSON.parse(mounts).data)).not.toContain('database/')
      expect(Object.keys(JSON.parse(mounts).data)).not.toContain('db/')
    } finally {
      await runCli(['server', 'stop', '--project', database])
    }
  })

  test('database: a renamed setting fails --check, naming it; a binary that lists none is said so', async () => {
    const config = join(database, 'config.go')
    const main = join(database, 'cmd/vault-plugin-database-hello/main.go')
    const [originalConfig, originalMain] = [readFileSync(config, 'utf8'), readFileSync(main, 'utf8')]
    try {
      writeFileSync(config, originalConfig.replaceAll('"max_open_connections"', '"pool_size"'))
      const renamed = await docs(database, '--check')
      expect(renamed.exitCode).toBe(1)
      expect(renamed.stdout).toMatch(/^-\| `max_open_connections` \|/m)
      expect(renamed.stdout).toMatch(/^\+\| `pool_size` \| integer \|/m)

      writeFileSync(config, originalConfig)
      writeFileSync(main, originalMain.replace('"-connection-settings"', '"-list-settings"'))
      const unlisted = await docs(database, '--check')
      expect(unlisted.exitCode).toBe(1)
      expect(unlisted.stdout).toMatch(/^\+.*The plugin does not list its connection settings/m)
      expect(unlisted.stdout).toMatch(/^-\| `connection_url` \|/m)
    } finally {
      writeFileSync(config, originalConfig)
      writeFileSync(main, originalMain)
    }
  })

  test('an --out it cannot write is one line, and nothing is left', async () => {
    const locked = join(parent, 'locked')
    mkdirSync(locked)
    chmodSync(locked, 0o500)
    // Root writes whatever a mode says; an immutable folder stops it too.
    execFileSync('chattr', ['+i', locked])
    try {
      const result = await docs(secrets, '--out', join(locked, 'api.md'))
      expect(result.exitCode).toBe(1)
      expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))).toHaveLength(1)
      expect(result.stderr).toContain('cannot be written')
      expect(readdirSync(locked)).toEqual([])
      // Under /proc no folder can be made (Node's recursive mkdir would loop there forever).
      const proc = await docs(secrets, '--out', '/proc/vaultkit-docs/deeper/api.md')
      expect(proc.exitCode).toBe(1)
      expect(proc.stderr).toMatch(/^Error: \/proc\/vaultkit-docs\/deeper\/api\.md cannot be written \(ENOENT\)/m)
      // A folder is not a file to write.
      const folder = await docs(secrets, '--out', locked)
      expect(folder.exitCode).toBe(1)
      expect(folder.stderr).toMatch(/is a folder/)
      expect(await serverRunning(secrets)).toBe(false)
    } finally {
      execFileSync('chattr', ['-i', locked])
    }
  })
})
