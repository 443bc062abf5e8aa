import {join} from 'node:path'
import {execa} from 'execa'

import {installedGoTool} from '../../src/lib/audit/govulncheck.js'
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
