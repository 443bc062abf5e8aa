import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'
import * as CDX from '@cyclonedx/cyclonedx-library'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {type AuditResult, auditProject, hostPlatform} from '../../src/lib/audit/govulncheck.js'
import {readProject} from '../../src/lib/project/project.js'
import type {ReleaseResult} from '../../src/lib/project/release.js'
import {checkRelease, readTrustedKeys} from '../../src/lib/registration/release-install.js'
import {BIN, runCli} from '../helpers.js'
import {scaffold} from '../e2e/vault.js'
import {vulnDatabase} from './go-tools.js'

// What an operator is handed with a release, checked with real tools: gpg signatures (RSA and Ed25519 keys
// made here) verified by gpg and by vaultkit's own verifier, CycloneDX SBOMs against the schema and
// `go version -m`, and the govulncheck gate against real advisories of the Go vulnerability database.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-release-trust-'))
const GNUPGHOME = join(parent, 'gnupg')
const BINARY = 'vault-plugin-secrets-hello'
const SUMS = `${BINARY}_0.1.0_SHA256SUMS`
const GIT_ENV = {GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com'}
let project: string

// A timeout, since a gpg that wants a passphrase waits for a pinentry that never comes.
const gpg = (...args: string[]) => execa('gpg', ['--batch', ...args], {env: {GNUPGHOME}, reject: false, all: true, timeout: 60_000})
const release = (out: string, ...args: string[]) =>
  runCli(['plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, out), '--json', ...args], {env: {GNUPGHOME}})
const commit = async (message: string) => {
  await execa('git', ['add', '--all'], {cwd: project})
  await execa('git', ['commit', '--quiet', '-m', message], {cwd: project, env: GIT_ENV})
}

/** A signing key made by gpg with no passphrase; its armored public key is written to `<email>.asc`. */
async function makeKey(email: string, algo: string): Promise<string> {
  const made = await gpg('--passphrase', '', '--quick-gen-key', `Release Test <${email}>`, algo, 'sign', 'never')
  expect(made.exitCode, made.all).toBe(0)
  const exported = await gpg('--armor', '--export', email)
  writeFileSync(join(parent, `${email}.asc`), exported.stdout)
  return join(parent, `${email}.asc`)
}

beforeAll(async () => {
  mkdirSync(GNUPGHOME, {mode: 0o700})
  project = await scaffold('secrets', parent)
  await execa('git', ['init', '--quiet'], {cwd: project})
  await commit('first')
}, 600_000)

afterAll(async () => {
  await execa('gpgconf', ['--kill', 'all'], {env: {GNUPGHOME}, reject: false})
  rmSync(parent, {recursive: true, force: true})
})

describe('plugin release --sign', () => {
  for (const [algo, email] of [['rsa3072', 'rsa@example.com'], ['ed25519', 'ed25519@example.com']] as const) {
    test(`signs SHA256SUMS with a ${algo} key: gpg and vaultkit's verifier accept it, and refuse what was not signed by it`, async () => {
      const publicKey = await makeKey(email, algo)
      const result = await release(`signed-${algo}`, '--sign', email, '--skip-audit')
      expect(result.exitCode, result.stderr).toBe(0)
      const dist = join(parent, `signed-${algo}`)
      expect((JSON.parse(result.stdout) as ReleaseResult).signature).toBe(join(dist, `${SUMS}.sig`))
      const verified = await gpg('--verify', join(dist, `${SUMS}.sig`), join(dist, SUMS))
      expect(verified.exitCode, verified.all).toBe(0)
      expect(verified.all).toContain(`Good signature from "Release Test <${email}>"`)

      const trusted = await readTrustedKeys([publicKey])
      expect((await checkRelease(dist, trusted)).signature).toMatchObject({status: 'verified'})
      // The sums changed after signing: one byte of one checksum.
      const edited = join(parent, `edited-${algo}`)
      cpSync(dist, edited, {recursive: true})
      const sums = readFileSync(join(edited, SUMS), 'utf8')
      writeFileSync(join(edited, SUMS), sums.replace(/^./, (c) => (c === '0' ? '1' : '0')))
      await expect(checkRelease(edited, trusted)).rejects.toThrow(`the signature of ${SUMS} does not hold`)
      rmSync(join(edited, `${SUMS}.sig`))
      await expect(checkRelease(edited, trusted)).rejects.toThrow(`${SUMS} is not signed (no ${SUMS}.sig), and only signed releases are trusted`)
    })
  }

  test('a signature by a key that is not trusted is refused', async () => {
    const trustRsa = await readTrustedKeys([join(parent, 'rsa@example.com.asc')])
    await expect(checkRelease(join(parent, 'signed-ed25519'), trustRsa)).rejects.toThrow(`the signature of ${SUMS} does not hold`)
    const either = await readTrustedKeys([join(parent, 'rsa@example.com.asc'), join(parent, 'ed25519@example.com.asc')])
    expect((await checkRelease(join(parent, 'signed-ed25519'), either)).signature).toMatchObject({status: 'verified'})
  })

  test('a key gpg does not have is one line, before anything is built; no release folder is left', async () => {
    const result = await release('no-key', '--sign', 'nobody@example.com', '--skip-audit')
    expect(result.exitCode).toBe(1)
    const {error} = JSON.parse(result.stdout) as {error: {message: string; hint?: string}}
    expect(error.message).toContain('nobody@example.com')
    expect(error.message).not.toContain('\n')
    expect(result.stderr).not.toContain('building')
    expect(existsSync(join(parent, 'no-key'))).toBe(false)
  })

  test('without gpg on PATH, --sign is one line saying to install it; no release folder is left', async () => {
    const bin = join(parent, 'bin-without-gpg')
    mkdirSync(bin)
    for (const tool of ['go', 'git']) symlinkSync((await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim(), join(bin, tool))
    const result = await runCli(['plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, 'no-gpg'), '--sign', 'rsa@example.com', '--skip-audit'], {
      env: {GNUPGHOME, PATH: bin},
    })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/gpg/)
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))).toHaveLength(1)
    expect(existsSync(join(parent, 'no-gpg'))).toBe(false)
  })
})

/** The shell of one step of a generated workflow, as GitHub runs it (`run: |` block, dedented). */
function workflowStep(workflow: string, name: string): string {
  const lines = readFileSync(join(project, '.github/workflows', workflow), 'utf8').split('\n')
  const start = lines.findIndex((line) => line.trim() === `- name: ${name}`)
  expect(start, `step "${name}" of ${workflow}`).toBeGreaterThanOrEqual(0)
  const run = lines.findIndex((line, i) => i > start && /^\s+run: /.test(line))
  const indent = lines[run]!.indexOf('run:')
  const inline = lines[run]!.slice(indent + 'run: '.length)
  if (inline !== '|') return inline
  const block: string[] = []
  for (const line of lines.slice(run + 1)) {
    if (line.trim() && line.search(/\S/) <= indent) break
    block.push(line)
  }
  const margin = Math.min(...block.filter((l) => l.trim()).map((l) => l.search(/\S/)))
  return block.map((l) => l.slice(margin)).join('\n')
}

describe("the generated release workflow's signing", () => {
  test('imports a passphrase-protected key from the secrets, signs with it, and signs nothing without one', {timeout: 300_000}, async () => {
    // The author's key, exported as they would put it into RELEASE_SIGNING_KEY.
    const made = await gpg('--pinentry-mode', 'loopback', '--passphrase', 'correct horse', '--quick-gen-key', 'Workflow Test <ci@example.com>', 'ed25519', 'sign', 'never')
    expect(made.exitCode, made.all).toBe(0)
    const secret = await gpg('--pinentry-mode', 'loopback', '--passphrase', 'correct horse', '--armor', '--export-secret-keys', 'ci@example.com')
    expect(secret.stdout).toContain('BEGIN PGP PRIVATE KEY BLOCK')

    const [importKey, build] = [workflowStep('release.yml', 'import the signing key'), workflowStep('release.yml', 'build the release')]
    const runner = async (secrets: Record<string, string>, out: string) => {
      // A runner's fresh keyring and step output file; bash as GitHub runs a step.
      const home = mkdtempSync(join(parent, 'runner-'))
      const gnupg = join(home, '.gnupg')
      mkdirSync(gnupg, {mode: 0o700})
      const output = join(home, 'output')
      writeFileSync(output, '')
      const env = {GNUPGHOME: gnupg, GITHUB_OUTPUT: output}
      const imported = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', importKey], {cwd: project, env: {...env, ...secrets}, reject: false, all: true, timeout: 60_000})
      expect(imported.exitCode, imported.all).toBe(0)
      const key = readFileSync(output, 'utf8').match(/^key=(.*)$/m)?.[1] ?? ''
      const built = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', build.replace('-out dist', `-out ${join(parent, out)} -platform linux/amd64`)], {
        cwd: project,
        env: {...env, GITHUB_REF_NAME: 'v0.1.0', SIGNING_KEY: key},
        reject: false,
        all: true,
        timeout: 240_000,
      })
      await execa('gpgconf', ['--kill', 'all'], {env, reject: false})
      return {imported, built, key}
    }

    const signed = await runner({RELEASE_SIGNING_KEY: secret.stdout, RELEASE_SIGNING_PASSPHRASE: 'correct horse'}, 'workflow-signed')
    expect(signed.built.exitCode, signed.built.all).toBe(0)
    expect(signed.key).toMatch(/^[0-9A-F]{40}$/)
    const dist = join(parent, 'workflow-signed')
    const verified = await gpg('--verify', join(dist, `${SUMS}.sig`), join(dist, SUMS))
    expect(verified.all).toContain('Good signature from "Workflow Test <ci@example.com>"')
    expect(signed.imported.all).not.toContain('correct horse')

    const unsigned = await runner({RELEASE_SIGNING_KEY: '', RELEASE_SIGNING_PASSPHRASE: ''}, 'workflow-unsigned')
    expect(unsigned.imported.stdout).toContain('no RELEASE_SIGNING_KEY secret: the release is not signed')
    expect(unsigned.built.exitCode, unsigned.built.all).toBe(0)
    expect(readdirSync(join(parent, 'workflow-unsigned')).filter((f) => f.endsWith('.sig'))).toEqual([])
  })
})

describe('the SBOM of each release', () => {
  test('is valid CycloneDX 1.6, lists what `go version -m` lists, is in SHA256SUMS, and is the same bytes in a second release', async () => {
    const first = await release('sbom-a', '--skip-audit')
    expect(first.exitCode, first.stderr).toBe(0)
    const platform = (JSON.parse(first.stdout) as ReleaseResult).platforms[0]!
    expect(platform.sbom).toBe(`${BINARY}_0.1.0_linux_amd64.cdx.json`)
    const dist = join(parent, 'sbom-a')
    const text = readFileSync(join(dist, platform.sbom!), 'utf8')

    const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6)
    expect(await validator.validate(text)).toBeNull()
    // The validator itself rejects a document that breaks the schema.
    const broken = JSON.parse(text)
    broken.components[0].hashes = [{alg: 'SHA-999', content: 'x'}]
    expect(await validator.validate(JSON.stringify(broken))).not.toBeNull()

    const bom = JSON.parse(text)
    await execa('unzip', ['-o', join(dist, platform.zip), '-d', join(parent, 'unzipped')])
    const binary = join(parent, 'unzipped', BINARY)
    const goVersion = (await execa('go', ['version', '-m', binary])).stdout
    // `go version -m`: "\tdep\tPATH\tVERSION\tSUM", and "\t=>\tPATH\tVERSION\tSUM" for the module that replaced it.
    const deps = [...goVersion.matchAll(/^\tdep\t(\S+)\t(\S+)/gm)].map(([, path, version]) => `${path}@${version}`)
    const listed = bom.components.filter((c: {name: string}) => c.name !== 'std').map((c: {name: string; version: string}) => `${c.name}@${c.version}`)
    expect(deps.length).toBeGreaterThan(20)
    expect(listed.sort()).toEqual(deps.sort())
    expect(bom.metadata.component).toMatchObject({name: BINARY, version: '0.1.0', hashes: [{alg: 'SHA-256', content: platform.sha256}]})
    expect(goVersion).toContain(bom.metadata.component.properties.find((p: {name: string}) => p.name === 'go:version').value)

    const sums = readFileSync(join(dist, SUMS), 'utf8')
    expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${platform.sbom!.replaceAll('.', '\\.')}$`, 'm'))
    const check = await execa('sha256sum', ['-c', SUMS], {cwd: dist})
    expect(check.stdout).toContain(`${platform.sbom}: OK`)

    const second = await release('sbom-b', '--skip-audit')
    expect(second.exitCode, second.stderr).toBe(0)
    expect(readdirSync(join(parent, 'sbom-b')).sort()).toEqual(readdirSync(dist).sort())
    for (const file of readdirSync(dist)) expect(readFileSync(join(parent, 'sbom-b', file)).equals(readFileSync(join(dist, file))), file).toBe(true)
  })
})

describe('the vulnerability gate', () => {
  let db: string
  const packageName = () => readFileSync(join(project, 'backend.go'), 'utf8').match(/^package (\w+)/m)![1]
  /** Runs `work` with a file no scan has seen in the sources (vaultkit keeps scan results by what a build reads). */
  const withUnscannedSources = async <T>(work: () => Promise<T>): Promise<T> => {
    const probe = join(project, 'unscanned.go')
    writeFileSync(probe, `package ${packageName()}\n\n// ${Date.now()}\n`)
    try {
      return await work()
    } finally {
      rmSync(probe)
    }
  }
  const audit = async () => {
    const result = await runCli(['plugin', 'audit', '--project', project, '--vuln-db', db, '--json'])
    return {...result, report: JSON.parse(result.stdout) as AuditResult}
  }

  beforeAll(async () => {
    db = await vulnDatabase()
  }, 600_000)

  test('a called advisory in a module stops the release naming it and its fix; the go get it names clears it', {timeout: 600_000}, async () => {
    // Born clean: only the standard library of this machine's Go may be called (the project names the Go that fixes it).
    const clean = await audit()
    expect(clean.report.called.filter((f) => f.module !== 'stdlib')).toEqual([])
    const allowStdlib = clean.report.called.flatMap((f) => ['--allow-vuln', f.id])
    const releaseTo = (out: string, ...args: string[]) =>
      runCli(['plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, out), '--vuln-db', db, '--json', ...allowStdlib, ...args])

    // A dirty tree is refused by the release program's own checks, before the scan (seconds) runs: an
    // untracked Go file that a scan would have to read, and no scan line.
    writeFileSync(join(project, 'untracked.go'), `package ${readFileSync(join(project, 'backend.go'), 'utf8').match(/^package (\w+)/m)![1]}\n`)
    try {
      const dirty = await releaseTo('dirty')
      expect(dirty.exitCode).toBe(1)
      expect(dirty.stdout).toContain('has uncommitted changes')
      expect(dirty.stderr).not.toContain('scanning')
    } finally {
      rmSync(join(project, 'untracked.go'))
    }

    // golang.org/x/text v0.38.0 has GO-2026-5970, in a function the plugin calls through the SDK; going back
    // to it takes x/net and grpc back to versions with their own advisories.
    const pinned = await execa('go', ['get', 'golang.org/x/text@v0.38.0'], {cwd: project, reject: false, all: true})
    expect(pinned.exitCode, pinned.all).toBe(0)
    await commit('x/text v0.38.0')
    const listedByAudit = await audit()
    expect(listedByAudit.exitCode).toBe(1)
    expect(listedByAudit.report.called).toContainEqual(expect.objectContaining({id: 'GO-2026-5970', module: 'golang.org/x/text', version: 'v0.38.0', fixed: 'v0.39.0'}))

    const stopped = await releaseTo('stopped')
    expect(stopped.exitCode).toBe(1)
    const {error} = JSON.parse(stopped.stdout) as {error: {message: string; hint: string}}
    expect(error.message).toMatch(/^the plugin calls code with known vulnerabilities: GO-\d{4}-\d+ in golang\.org\/x\/\w+@v[\d.]+ \(fixed in v[\d.]+\) and \d+ more/)
    expect(error.hint).toMatch(/^go get golang\.org\/x\/\w+@v[\d.]+ && go mod tidy, then release again; or release anyway with --allow-vuln for each; nothing was written$/)
    // These sources were scanned just before (by plugin audit): the kept scan refuses it before anything is built.
    expect(stopped.stderr).not.toContain('building')
    expect(existsSync(join(parent, 'stopped'))).toBe(false)

    // --allow-vuln lets them through, and the SBOM records them; the scan of these sources is not run again.
    const moduleIds = listedByAudit.report.called.filter((f) => f.module !== 'stdlib').map((f) => f.id)
    const allowed = await releaseTo('allowed', ...moduleIds.flatMap((id) => ['--allow-vuln', id]))
    expect(allowed.exitCode, allowed.stderr).toBe(0)
    const result = JSON.parse(allowed.stdout) as ReleaseResult
    expect(result.audit).toMatchObject({skipped: false, cached: true})
    const bom = JSON.parse(readFileSync(join(parent, 'allowed', result.platforms[0]!.sbom!), 'utf8'))
    expect(bom.vulnerabilities.map((v: {id: string}) => v.id)).toContain('GO-2026-5970')

    // The go get each refusal names, run as it is written, until no module advisory is left (a fix of one
    // module often raises another past its own fix).
    let cleared = stopped
    let hint = error.hint
    for (let round = 1; cleared.exitCode !== 0; round++) {
      expect(round, `still stopped after ${round - 1} go get rounds: ${cleared.stdout}`).toBeLessThanOrEqual(4)
      const goGet = hint.match(/^go get (\S+) && go mod tidy/)
      expect(goGet, hint).not.toBeNull()
      const fixed = await execa('go', ['get', goGet![1]!], {cwd: project, reject: false, all: true})
      expect(fixed.exitCode, fixed.all).toBe(0)
      await execa('go', ['mod', 'tidy'], {cwd: project})
      await commit(`go get ${goGet![1]}`)
      // The first round's release builds, scans its binary and then its sources; the later ones are decided
      // by plugin audit's kept scan, as an author who audits first has them (and nothing is built to refuse).
      if (round > 1) await audit()
      cleared = await releaseTo('cleared')
      if (cleared.exitCode !== 0) hint = (JSON.parse(cleared.stdout) as {error: {hint: string}}).error.hint
    }
    const audited = (JSON.parse(cleared.stdout) as ReleaseResult).audit
    expect(audited).toMatchObject({skipped: false})
    if (audited.skipped) throw new Error('not audited')
    // What is let through is what --allow-vuln named (an advisory of the standard library may name x/net too).
    const stdlibIds = clean.report.called.map((f) => f.id)
    expect(audited.allowed.filter((f) => !stdlibIds.includes(f.id))).toEqual([])
    expect(audited.allowed.map((f) => f.id)).not.toContain('GO-2026-5970')
    // Advisories in modules the plugin requires but never calls are listed, and do not stop it.
    expect(audited.listed.length).toBeGreaterThan(0)
    expect(audited.listed.every((f) => f.reach !== 'called')).toBe(true)

    // These sources were scanned and kept. With a go.work, other modules' folders are built too, which the key
    // cannot see: scanned again. Without it, the kept result serves again.
    expect((await audit()).report).toMatchObject({cached: true})
    writeFileSync(join(project, 'go.work'), `go ${readFileSync(join(project, 'go.mod'), 'utf8').match(/^go (\S+)/m)![1]}\n\nuse .\n`)
    try {
      // (Exit 1 is possible: this machine's Go may have standard-library advisories the project's Go fixes.)
      // Twice: a key of its own for the workspace would be kept after the first.
      for (let i = 0; i < 2; i++) {
        const workspace = await audit()
        expect(workspace.report, workspace.stderr).toMatchObject({cached: false, package: './cmd/vault-plugin-secrets-hello'})
      }
    } finally {
      rmSync(join(project, 'go.work'))
    }
    expect((await audit()).report).toMatchObject({cached: true})

    // Back to the go.mod the project was born with, for the tests below. (An advisory id of the standard
    // library can name x/net too, so letting this Go's through may have let an old x/net through as well.)
    const {stdout: first} = await execa('git', ['rev-list', '--max-parents=0', 'HEAD'], {cwd: project})
    await execa('git', ['checkout', first.trim(), '--', 'go.mod', 'go.sum'], {cwd: project})
    await commit('the go.mod it was born with')
  })

  test('a file govulncheck cannot read as a binary leaves its platform to the source scan, which decides', {timeout: 600_000}, async () => {
    const notBinary = join(parent, 'not-a-binary')
    writeFileSync(notBinary, 'not a Go binary\n')
    const platform = hostPlatform()
    const result = await auditProject(await readProject(project), {db, platforms: [platform], binaries: {[platform]: notBinary}})
    expect(result).toMatchObject({platforms: [platform], fromBinaries: []})
  })

  test('a platform whose release binary links no advisory it does not allow is settled from the binary: no source scan; what it links is still recorded', {timeout: 600_000}, async () => {
    // Born clean, binaries too: with every standard-library advisory of this Go allowed (a function the
    // binary links is in a package the sources import, so the source scan's list holds them all), nothing
    // is left for the sources to settle.
    const {report} = await audit()
    const stdlib = [...new Set([...report.called, ...report.uncalled].filter((f) => f.module === 'stdlib').map((f) => f.id))]
    // Sources no scan has seen (a scan kept for them would decide the release before anything is built).
    const released = await withUnscannedSources(() =>
      runCli(['plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, 'from-binary'), '--allow-dirty', '--vuln-db', db, '--json', ...stdlib.flatMap((id) => ['--allow-vuln', id])]),
    )
    expect(released.exitCode, released.stdout + released.stderr).toBe(0)
    const result = JSON.parse(released.stdout) as ReleaseResult
    expect(result.audit).toMatchObject({skipped: false, platforms: ['linux/amd64'], fromBinaries: ['linux/amd64'], cached: false})
    if (result.audit.skipped) throw new Error('not audited')
    // What the binary links of them is let through and recorded, as with a source scan.
    expect(result.audit.allowed.length).toBeGreaterThan(0)
    expect(result.audit.allowed.every((f) => f.module === 'stdlib' && stdlib.includes(f.id))).toBe(true)
    const bom = JSON.parse(readFileSync(join(parent, 'from-binary', result.platforms[0]!.sbom!), 'utf8'))
    expect(bom.vulnerabilities.map((v: {id: string}) => v.id).sort()).toEqual(result.audit.allowed.map((f) => f.id).sort())
  })

  test('a database served over HTTP (as vuln.go.dev serves it) is kept warm: its vulndb.zip fetched once for each of its states, then only index/db.json; without a vulndb.zip, govulncheck reads it as served', {timeout: 600_000}, async () => {
    // The served layout, built from the same OSV files: index/db.json, index/modules.json, ID/<id>.json, the
    // .json.gz of each (what govulncheck asks for), and vulndb.zip holding all of them.
    const osv = fileURLToPath(db)
    const served = join(parent, 'served-db')
    mkdirSync(join(served, 'index'), {recursive: true})
    cpSync(osv, join(served, 'ID'), {recursive: true})
    const modules = new Map<string, {id: string; modified: string}[]>()
    for (const file of readdirSync(osv)) {
      const entry = JSON.parse(readFileSync(join(osv, file), 'utf8')) as {id: string; modified: string; affected: {package: {name: string}}[]}
      for (const name of new Set(entry.affected.map((a) => a.package.name))) modules.set(name, [...(modules.get(name) ?? []), {id: entry.id, modified: entry.modified}])
    }
    writeFileSync(join(served, 'index/modules.json'), JSON.stringify([...modules].map(([path, vulns]) => ({path, vulns}))))
    const setModified = (time: string) => writeFileSync(join(served, 'index/db.json'), JSON.stringify({modified: time}))
    setModified('2026-11-05T00:00:00Z')
    const zipped = await execa('zip', ['-qr', 'vulndb.zip', 'index', 'ID'], {cwd: served, reject: false, all: true})
    expect(zipped.exitCode, zipped.all).toBe(0)
    const requests: string[] = []
    // While set, a request for vulndb.zip is answered only when the test says so.
    let holdZip: ((held: () => void) => void) | undefined
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://db').pathname
      requests.push(`${req.method} ${path}`)
      if (holdZip && path === '/vulndb.zip') return void holdZip(() => res.writeHead(404).end())
      const file = join(served, path.replace(/\.gz$/, ''))
      if (!file.startsWith(`${served}/`) || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end()
      const body = path.endsWith('.json.gz') ? gzipSync(readFileSync(file)) : readFileSync(file)
      res.writeHead(200, {'Content-Length': body.length}).end(req.method === 'HEAD' ? undefined : body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const {report} = await audit()
    const allow = [...new Set([...report.called, ...report.uncalled].filter((f) => f.module === 'stdlib').map((f) => f.id))].flatMap((id) => ['--allow-vuln', id])
    const releaseFrom = async (database: string, out: string) => {
      const result = await runCli(['plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, out), '--allow-dirty', '--vuln-db', database, '--json', ...allow])
      expect(result.exitCode, result.stdout + result.stderr).toBe(0)
      const {audit: gate} = JSON.parse(result.stdout) as ReleaseResult
      if (gate.skipped) throw new Error('not audited')
      expect(gate.fromBinaries).toEqual(['linux/amd64'])
      return gate.allowed.map((f) => f.id).sort()
    }
    const fetched = (path: string) => requests.filter((r) => r === `GET ${path}`).length
    try {
      // Sources no scan has seen: a kept scan would decide the releases before anything is built.
      await withUnscannedSources(async () => {
        const fromFolder = await releaseFrom(db, 'db-folder')
        expect(await releaseFrom(url, 'db-served-1')).toEqual(fromFolder)
        expect(fetched('/vulndb.zip')).toBe(1)
        // The same state again: its index/db.json alone, and no request of govulncheck's own.
        requests.length = 0
        expect(await releaseFrom(url, 'db-served-2')).toEqual(fromFolder)
        expect(requests).toEqual(['GET /index/db.json'])
        // A new state: fetched again.
        requests.length = 0
        setModified('2026-11-06T00:00:00Z')
        expect(await releaseFrom(url, 'db-served-3')).toEqual(fromFolder)
        expect(fetched('/vulndb.zip')).toBe(1)
        // Ctrl-C while vulndb.zip downloads ends the release at once: nothing written, said as interrupted.
        setModified('2026-11-06T12:00:00Z')
        let release: (() => void) | undefined
        const asked = new Promise<void>((resolve) => {
          holdZip = (held) => {
            release = held
            resolve()
          }
        })
        const stopped = execa(process.execPath, [BIN, 'plugin', 'release', '--project', project, '--platform', 'linux/amd64', '--out', join(parent, 'db-stopped'), '--allow-dirty', '--vuln-db', url, ...allow], {reject: false, env: {NO_COLOR: '1'}})
        await asked
        stopped.kill('SIGINT')
        const ended = await Promise.race([stopped, new Promise((resolve) => setTimeout(() => resolve('still waiting for the download'), 60_000))])
        release?.()
        holdZip = undefined
        expect(ended).toMatchObject({exitCode: 130})
        expect((ended as {stderr: string}).stderr).toContain('Interrupted (SIGINT)')
        expect(existsSync(join(parent, 'db-stopped'))).toBe(false)
        // A mirror without the bulk file: govulncheck fetches the index and the entries it needs, as it always does.
        requests.length = 0
        rmSync(join(served, 'vulndb.zip'))
        setModified('2026-11-07T00:00:00Z')
        expect(await releaseFrom(url, 'db-served-4')).toEqual(fromFolder)
        expect(fetched('/index/modules.json.gz')).toBeGreaterThan(0)
      })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('a project built by another Go release (GOTOOLCHAIN=go1.27.3, which fixes every standard-library advisory of the database) is scanned with a govulncheck built by that release: born clean', {timeout: 600_000}, async () => {
    // A govulncheck built by this machine's Go cannot load go1.27's standard library ("file requires newer Go
    // version"). Sources of this run alone, so that no kept result answers for the scan.
    const result = await withUnscannedSources(() => runCli(['plugin', 'audit', '--project', project, '--vuln-db', db, '--json'], {env: {GOTOOLCHAIN: 'go1.27.3'}}))
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as AuditResult
    expect(report).toMatchObject({goVersion: 'go1.27.3', called: []})
    expect(report.uncalled.filter((f) => f.module === 'stdlib')).toEqual([])
  })

  test('each platform the release builds is scanned: a Windows-only advisory in code the plugin calls stops a release for Windows alone', {timeout: 600_000}, async () => {
    // GO-2026-6604 (os.Root.MkdirAll can follow junctions out of the root) holds on Windows only, in Go before 1.26.9.
    const {stdout: goVersion} = await execa('go', ['env', 'GOVERSION'])
    expect(goVersion, 'this test needs a Go that GO-2026-6604 affects: 1.26.0 to 1.26.8').toMatch(/^go1\.26\.[0-8]$/)
    const pkg = readFileSync(join(project, 'backend.go'), 'utf8').match(/^package (\w+)/m)![1]
    const rooted = join(project, 'rooted.go')
    writeFileSync(rooted, `package ${pkg}\n\nimport "os"\n\nfunc init() {\n\tif root, err := os.OpenRoot(os.TempDir()); err == nil {\n\t\t_ = root.MkdirAll("vaultkit-rooted", 0o700)\n\t\troot.Close()\n\t}\n}\n`)
    await commit('calls os.Root.MkdirAll')
    try {
      const scanOf = async (...platforms: string[]) => {
        const result = await runCli(['plugin', 'audit', '--project', project, '--vuln-db', db, '--json', ...platforms.flatMap((p) => ['--platform', p])])
        return JSON.parse(result.stdout) as AuditResult
      }
      const linux = await scanOf('linux/amd64')
      expect(linux.called.map((f) => f.id)).not.toContain('GO-2026-6604')
      const both = await scanOf('linux/amd64', 'windows/amd64')
      expect(both.platforms).toEqual(['linux/amd64', 'windows/amd64'])
      expect(both.called).toContainEqual(expect.objectContaining({id: 'GO-2026-6604', module: 'stdlib', platforms: ['windows/amd64']}))

      // What Linux calls is let through; the release for Linux goes out, the one with Windows is stopped.
      const allow = linux.called.flatMap((f) => ['--allow-vuln', f.id])
      const releaseFor = (out: string, ...platforms: string[]) =>
        runCli(['plugin', 'release', '--project', project, '--out', join(parent, out), '--vuln-db', db, '--json', ...allow, ...platforms.flatMap((p) => ['--platform', p])])
      const forLinux = await releaseFor('linux-only', 'linux/amd64')
      expect(forLinux.exitCode, forLinux.stdout + forLinux.stderr).toBe(0)
      // Its binary links more of this Go's advisories than the ones let through: the sources settle it, from the cache.
      expect((JSON.parse(forLinux.stdout) as ReleaseResult).audit).toMatchObject({skipped: false, platforms: ['linux/amd64'], fromBinaries: [], cached: true})
      const withWindows = await releaseFor('with-windows', 'linux/amd64', 'windows/amd64')
      expect(withWindows.exitCode).toBe(1)
      const {error} = JSON.parse(withWindows.stdout) as {error: {message: string; hint: string}}
      expect(error.message).toMatch(/GO-2026-6604 in the standard library of go1\.26\.\d \(fixed in go1\.26\.9\) on windows\/amd64/)
      expect(withWindows.stderr).not.toContain('building')
      expect(existsSync(join(parent, 'with-windows'))).toBe(false)
    } finally {
      rmSync(rooted)
      await commit('no os.Root')
    }
  })
})
