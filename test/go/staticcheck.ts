import {existsSync, mkdirSync, mkdtempSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'

import {cacheDir} from '../../src/lib/vault/install/install.js'
import {goVersions} from '../../src/lib/versions.js'

/** The staticcheck HashiCorp's plugin CI runs, as the generated workflow does; the Go module proxy serves it. */
const STATICCHECK_VERSION = goVersions.staticcheck

/**
 * The staticcheck binary, installed once per Go version into vaultkit's cache folder (never into the
 * repository): a staticcheck built by another Go release refuses newer sources. Throws when it cannot be
 * installed, so the Go tier fails rather than skip the check.
 */
export async function staticcheckBinary(): Promise<string> {
  const goVersion = (await execa('go', ['env', 'GOVERSION'])).stdout.trim()
  const tools = join(cacheDir(), 'tools')
  const dir = join(tools, `staticcheck-${STATICCHECK_VERSION}-${goVersion}`)
  const binary = join(dir, 'staticcheck')
  if (existsSync(binary)) return binary

  mkdirSync(tools, {recursive: true})
  const staging = mkdtempSync(join(tools, '.staticcheck-'))
  const install = await execa('go', ['install', `honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}`], {
    env: {GOBIN: staging, GOFLAGS: ''},
    reject: false,
    all: true,
  })
  if (install.exitCode !== 0) {
    rmSync(staging, {recursive: true, force: true})
    throw new Error(`staticcheck ${STATICCHECK_VERSION} could not be installed with go install; the Go tier needs it:\n${install.all}`)
  }
  // Staged, then renamed: a concurrent install finds either nothing or a whole binary.
  try {
    renameSync(staging, dir)
  } catch {
    rmSync(staging, {recursive: true, force: true})
  }
  return binary
}
