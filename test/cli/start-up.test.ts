import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {describe, expect, it, onTestFinished} from 'vitest'
import {readProject} from '../../src/lib/project/project.js'
import {writeState} from '../../src/lib/vault/state.js'
import {BIN, freePort, REPO, tempDir, until} from '../helpers.js'

// What `plugin new` must not pay for at start. bench/new measures the time; this pins down the causes.
const PROBE = join(import.meta.dirname, '../fixtures/start-up-probe.js')
const FAKE_DEV_SERVER = join(import.meta.dirname, '../fixtures/fake-dev-server.js')
const NEW = [BIN, 'plugin', 'new', 'hello', '--yes', '--no-tidy', '--no-git']

/** Runs node with the probe preloaded: the module files it loaded and how often it used an ICU collator. */
async function probe(args: string[], failure?: RegExp) {
  const cwd = tempDir()
  const out = join(cwd, 'probe.json')
  const result = await execa(process.execPath, ['--import', PROBE, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: {NO_COLOR: '1', VAULTKIT_PROBE_OUT: out},
  })
  expect(result.stderr).toMatch(failure ?? /^$/)
  expect(result.exitCode).toBe(failure ? 1 : 0)
  return JSON.parse(readFileSync(out, 'utf8')) as {loaded: string[]; builtins: string[]; importedBuiltins: string[]; collators: number}
}

/** The npm packages bundled into the loaded files, from the map the build writes (build/chunk-packages.json). */
function bundledPackages(loaded: string[]): Set<string> {
  const map = JSON.parse(readFileSync(join(REPO, 'build/chunk-packages.json'), 'utf8')) as Record<string, string[]>
  const packages = new Set<string>()
  for (const url of loaded) {
    const file = relative(join(REPO, 'dist'), fileURLToPath(url))
    for (const name of map[file] ?? []) packages.add(name)
  }
  return packages
}

describe('start-up of plugin new', () => {
  it('loads neither the libraries of other paths nor wsl-utils', async () => {
    const packages = bundledPackages((await probe(NEW)).loaded)
    // oclif and handlebars are always loaded: without them here, the probe itself would be broken.
    expect(packages).toContain('@oclif/core')
    expect(packages).toContain('handlebars')
    for (const lazy of ['execa', '@inquirer/core', 'chokidar', 'wsl-utils', 'powershell-utils']) {
      expect(packages, lazy).not.toContain(lazy)
    }
  })

  it('does not load child_process when it runs nothing (oclif loads it for Windows alone)', async () => {
    expect((await probe(['-e', "require('node:child_process')"])).builtins).toContain('child_process')
    expect((await probe(NEW)).builtins).not.toContain('child_process')
  })

  it('reaches built-in modules without ES imports, which build a facade of each (see scripts/rolldown-start-up.js)', async () => {
    expect((await probe(['--input-type=module', '-e', "import 'node:fs'"])).importedBuiltins).toEqual(['node:fs'])
    expect((await probe(NEW)).importedBuiltins).toEqual([])
  })

  it('runs on a Node without process.getBuiltinModule (22.0 to 22.2), which bin/run.js then provides', async () => {
    const cwd = tempDir()
    const older = join(import.meta.dirname, '../fixtures/no-get-builtin-module.js')
    const check = await execa(process.execPath, ['--import', older, '-p', 'typeof process.getBuiltinModule'])
    expect(check.stdout).toBe('undefined')
    const result = await execa(process.execPath, ['--import', older, ...NEW], {cwd, reject: false, stdin: 'ignore'})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(readFileSync(join(cwd, 'vault-plugin-secrets-hello', 'go.mod'), 'utf8')).toContain('module example.com/vault-plugin-secrets-hello')
  })

  it('loads oclif’s config once: the command takes the runner’s rather than a copy (src/lib/cli/base-command.ts)', async () => {
    const result = await execa(process.execPath, [...NEW, '--dry-run'], {cwd: tempDir(), stdin: 'ignore', env: {DEBUG: 'oclif:config'}})
    expect(result.stderr).toContain('oclif:config config done')
    expect(result.stderr.match(/oclif:config config done/g)).toHaveLength(1)
    expect(result.stderr).not.toContain('reloading config')
  })

  it('never uses an ICU collator, whose first use loads its tables (several milliseconds)', async () => {
    expect((await probe(['-e', "'a'.localeCompare('b')"])).collators).toBe(1)
    expect((await probe(NEW)).collators).toBe(0)
  })
})

describe('start-up of plugin register', () => {
  it('loads neither child_process nor https and tls: a dev server is reached over http, and nothing is started', async () => {
    // A project whose dev server is a stand-in on this host: register reads the project, reaches the server
    // and registers, every module of its path loaded by then.
    const parent = tempDir()
    const created = await execa(process.execPath, NEW, {cwd: parent, stdin: 'ignore'})
    expect(created.exitCode).toBe(0)
    const project = await readProject(join(parent, 'vault-plugin-secrets-hello'))
    mkdirSync(project.pluginDir, {recursive: true})
    writeFileSync(join(project.pluginDir, project.binaryName), 'not a plugin: the stand-in never runs it\n')
    const port = await freePort()
    const server = execa(process.execPath, [FAKE_DEV_SERVER, 'server', `-dev-listen-address=127.0.0.1:${port}`], {stdin: 'ignore', reject: false})
    onTestFinished(() => void server.kill())
    let requests = ''
    server.stdout.on('data', (chunk: Buffer) => {
      requests += chunk.toString()
    })
    await until('the stand-in dev server', async () => requests.includes('listening'), 10_000)
    await writeState(project.dir, {
      addr: `http://127.0.0.1:${port}`, token: 'dev-root-token', pid: server.pid!, port,
      logFile: '', pluginDir: project.pluginDir, vaultBin: '', startedAt: new Date().toISOString(),
    })

    const {builtins} = await probe([BIN, 'plugin', 'register', '--project', project.dir])
    expect(requests).toContain('POST /v1/sys/mounts/hello')
    expect(builtins).toContain('http')
    for (const lazy of ['child_process', 'https', 'tls']) expect(builtins, lazy).not.toContain(lazy)
  })
})
