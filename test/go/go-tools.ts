import {createHash} from 'node:crypto'
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'

import {GOVULNCHECK, govulncheckBinary, installedGoTool} from '../../src/lib/audit/govulncheck.js'
import {localGoVersion} from '../../src/lib/go.js'
import {buildInputs} from '../../src/lib/project/build-inputs.js'
import {goVersions} from '../../src/lib/versions.js'

export {govulncheckBinary} from '../../src/lib/audit/govulncheck.js'

/** The Go vulnerability database, served by the Go module proxy as a Go module. */
export const VULNDB = {module: 'golang.org/x/vulndb', version: 'v0.0.0-20261105234957-e22db6528018'}

/** The staticcheck HashiCorp's plugin CI runs, as the generated workflow does; installed as vaultkit installs govulncheck. */
export const staticcheckBinary = () => installedGoTool('staticcheck', 'honnef.co/go/tools/cmd/staticcheck', goVersions.staticcheck)

/** actionlint, which checks the generated GitHub workflows. */
export const actionlintBinary = () => installedGoTool('actionlint', 'github.com/rhysd/actionlint/cmd/actionlint', 'v1.7.12')

/**
 * The vulnerability database as govulncheck reads it from a folder of OSV files: the vulndb module's
 * `data/osv`, downloaded once into the Go module cache. govulncheck indexes such a folder itself, which
 * saves building a database with vulndb's indexdb (minutes of compiling) for the same findings.
 */
export async function vulnDatabase(): Promise<string> {
  const download = await execa('go', ['mod', 'download', '-json', `${VULNDB.module}@${VULNDB.version}`], {env: {GOFLAGS: ''}, reject: false})
  if (download.exitCode !== 0) throw new Error(`${VULNDB.module}@${VULNDB.version} could not be downloaded; the Go tier needs it:\n${download.stdout}${download.stderr}`)
  return `file://${join(JSON.parse(download.stdout).Dir, 'data', 'osv')}`
}

/**
 * `govulncheck -format json ./...` in a project, as its CI runs it (with cgo off, as it is built), against the
 * test database: its output, kept in the user's cache under everything it reads (the fingerprint plugin build
 * keeps of the sources, go.mod, go.sum, environment and toolchain; the tool; the database module's version,
 * whose folder never changes). A generated project is the same bytes in every run: scanned once.
 */
export async function govulncheckAll(project: string): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const db = await vulnDatabase()
  const args = ['-db', db, '-format', 'json', './...']
  const env = {CGO_ENABLED: '0', GOFLAGS: ''}
  const {version: goVersion} = await localGoVersion()
  const inputs = await buildInputs(project, join(project, 'vault/plugins'), [GOVULNCHECK.version, goVersion ?? '', ...args], env)
  const file = inputs && join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vaultkit-dev', 'govulncheck', `${createHash('sha256').update(inputs).digest('hex')}.json`)
  const kept = file ? await readFile(file, 'utf8').then((text) => JSON.parse(text) as {exitCode: number; stdout: string; stderr: string}, () => undefined) : undefined
  if (kept) return kept
  const scan = await execa(await govulncheckBinary(), args, {cwd: project, env, reject: false})
  const result = {exitCode: scan.exitCode ?? 1, stdout: String(scan.stdout), stderr: String(scan.stderr)}
  if (file && result.exitCode === 0) {
    await mkdir(join(file, '..'), {recursive: true})
    await writeFile(`${file}.${process.pid}`, JSON.stringify(result))
    await rename(`${file}.${process.pid}`, file)
  }
  return result
}
