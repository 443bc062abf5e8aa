import {existsSync, mkdirSync, mkdtempSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'

import {cacheDir} from '../../src/lib/vault/install/install.js'
import {goVersions} from '../../src/lib/versions.js'

/** govulncheck and the Go vulnerability database, both served by the Go module proxy as Go modules. */
export const GOVULNCHECK = {module: 'golang.org/x/vuln', version: 'v1.9.0'}
export const VULNDB = {module: 'golang.org/x/vulndb', version: 'v0.0.0-20261105234957-e22db6528018'}

/**
 * A Go tool's binary, installed once per Go version into vaultkit's cache folder (never into the repository):
 * a tool built by another Go release may refuse newer sources. Throws when it cannot be installed, so the
 * Go tier fails rather than skip the check.
 */
async function installedTool(name: string, pkg: string, version: string): Promise<string> {
  const goVersion = (await execa('go', ['env', 'GOVERSION'])).stdout.trim()
  const tools = join(cacheDir(), 'tools')
  const dir = join(tools, `${name}-${version}-${goVersion}`)
  const binary = join(dir, name)
  if (existsSync(binary)) return binary

  mkdirSync(tools, {recursive: true})
  const staging = mkdtempSync(join(tools, `.${name}-`))
  const install = await execa('go', ['install', `${pkg}@${version}`], {env: {GOBIN: staging, GOFLAGS: ''}, reject: false, all: true})
  if (install.exitCode !== 0) {
    rmSync(staging, {recursive: true, force: true})
    throw new Error(`${name} ${version} could not be installed with go install; the Go tier needs it:\n${install.all}`)
  }
  // Staged, then renamed: a concurrent install finds either nothing or a whole binary.
  try {
    renameSync(staging, dir)
  } catch {
    rmSync(staging, {recursive: true, force: true})
  }
  return binary
}

/** The staticcheck HashiCorp's plugin CI runs, as the generated workflow does. */
export const staticcheckBinary = () => installedTool('staticcheck', 'honnef.co/go/tools/cmd/staticcheck', goVersions.staticcheck)

export const govulncheckBinary = () => installedTool('govulncheck', `${GOVULNCHECK.module}/cmd/govulncheck`, GOVULNCHECK.version)

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
