import {errnoCode} from './errors.js'
import {run} from './exec.js'
import {shellQuote} from './cli/output.js'
import {errorLine, type StepResult, timed} from './steps.js'

/** Go's GOOS/GOARCH for a Node platform and CPU (HashiCorp's releases use the same names). */
export function goPlatform(platform: string = process.platform, arch: string = process.arch): {goos: string; goarch: string} {
  const goos = platform === 'win32' ? 'windows' : platform
  const goarch = ({x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64'} as Record<string, string>)[arch] ?? arch
  return {goos, goarch}
}

/** "go1.26.8" or "1.24" -> [1, 26, 8]. */
export function parseGoVersion(version: string): number[] | undefined {
  const match = /(?:^|go)(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim())
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined
}

export function isGoVersionAtLeast(found: string, needed: string): boolean {
  const a = parseGoVersion(found)
  const b = parseGoVersion(needed)
  if (!a || !b) return false
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!
  return true
}

/** The local Go's version (GOTOOLCHAIN=local: what is installed, not what it would download). */
export async function localGoVersion(): Promise<{version?: string; problem?: string}> {
  const result = await run('go', ['env', 'GOVERSION'], {env: {GOTOOLCHAIN: 'local'}})
  if (errnoCode(result) === 'ENOENT') return {problem: 'go was not found on PATH'}
  if (result.exitCode !== 0) return {problem: `go env GOVERSION failed: ${errorLine(result.all) || `exit ${result.exitCode}`}`}
  return {version: result.stdout.trim()}
}

/** The local Go's version when it can build what needs `minimumGo`; else what is wrong with it. */
export async function checkLocalGo(minimumGo: string, needer = 'this project'): Promise<{version?: string; problem?: string}> {
  const {version, problem} = await localGoVersion()
  if (!version) return {problem}
  if (!isGoVersionAtLeast(version, minimumGo)) return {problem: `${version} is older than the Go ${minimumGo} ${needer} needs`}
  return {version}
}

/** `go mod tidy`, so the project builds at once; needs a Go at least as new as the go.mod directive. */
export function goModTidy(directory: string, minimumGo: string): Promise<StepResult> {
  const byHand = `then run \`cd ${shellQuote(directory)} && go mod tidy\``
  return timed('go mod tidy', async () => {
    const {problem} = await checkLocalGo(minimumGo)
    if (problem) return {status: 'failed', detail: problem, fix: `install Go ${minimumGo} or newer, ${byHand}`}
    const result = await run('go', ['mod', 'tidy'], {cwd: directory})
    if (result.exitCode !== 0) return {status: 'failed', detail: errorLine(result.all), fix: `fix that, ${byHand}`}
    return {status: 'ok'}
  })
}
