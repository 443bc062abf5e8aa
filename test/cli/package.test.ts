import {lstatSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'

import {REPO, tempDir} from '../helpers.js'

/** Bytes below `dir`, as `du --apparent-size` counts them (folders and links included). */
function treeSize(dir: string): number {
  return readdirSync(dir, {recursive: true}).reduce((sum, path) => sum + lstatSync(join(dir, String(path))).size, lstatSync(dir).size)
}

// What a user gets from `npm install -g vaultkit`: the packed package, installed on its own into an empty
// prefix, without dev dependencies, run from a folder far from this repository.
describe('the npm package', () => {
  it('installs as one package under 2.35 MB, and plugin new, template new/list and doctor run from it', async () => {
    const work = tempDir()
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: REPO})
    const tarball = join(work, (JSON.parse(packed.stdout) as {filename: string}[])[0]!.filename)
    const prefix = join(work, 'prefix')
    const install = await execa('npm', ['install', '-g', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', tarball], {all: true})
    expect(install.all).toMatch(/^added 1 package in /m)
    const installed = join(prefix, 'lib', 'node_modules', 'vaultkit')
    expect(readdirSync(installed)).not.toContain('node_modules')
    // 2.22 MB with plugin docs (its renderer, jsdiff, and the API docs the secrets and auth kinds ship);
    // 2.30 MB once the database kind ships its API docs too (15 kB as a template, and again precompiled).
    expect(treeSize(prefix)).toBeLessThan(2_350_000)

    // Only the installed bin and Node itself on PATH (and go, for doctor to find).
    const cwd = join(work, 'somewhere')
    const env = {PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/go/bin', '/usr/bin', '/bin'].join(':'), NO_COLOR: '1', XDG_CONFIG_HOME: work, XDG_CACHE_HOME: work}
    const vaultkit = (...args: string[]) => execa('vaultkit', args, {cwd, env, extendEnv: false, reject: false, stdin: 'ignore'})
    await execa('mkdir', [cwd])
    const created = await vaultkit('plugin', 'new', 'hello', '--yes', '--no-git', '--no-tidy')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(readFileSync(join(cwd, 'vault-plugin-secrets-hello', 'go.mod'), 'utf8')).toContain('module example.com/vault-plugin-secrets-hello')
    const kind = await vaultkit('template', 'new', 'acme', '--from', 'auth', '--dir', join(cwd, 'kinds', 'acme'))
    expect(kind.exitCode, kind.stderr).toBe(0)
    const list = await execa('vaultkit', ['template', 'list'], {cwd, env: {...env, VAULTKIT_TEMPLATE_PATH: join(cwd, 'kinds')}, extendEnv: false})
    expect(list.stdout).toMatch(/^secrets +secret +Secrets engine/m)
    expect(list.stdout).toMatch(/^acme +auth /m)
    // An external kind is compiled at render, by the full Handlebars compiler (built-in kinds are precompiled).
    const own = await vaultkit('plugin', 'new', 'mine', '--template', join(cwd, 'kinds', 'acme'), '--yes', '--no-git', '--no-tidy')
    expect(own.exitCode, own.stderr).toBe(0)
    expect(readdirSync(join(cwd, 'vault-plugin-auth-mine'))).toContain('go.mod')
    const doctor = await vaultkit('doctor', '--project', join(cwd, 'vault-plugin-secrets-hello'))
    expect(doctor.stdout).toMatch(/^ok +project +vault-plugin-secrets-hello 0\.1\.0/m)
    expect(doctor.exitCode).toBe(0)
  })
})
