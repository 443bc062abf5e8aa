import {errnoCode} from './errors.js'
import {firstLine, type StepResult, timed} from './steps.js'

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

/** The local Go's version (GOTOOLCHAIN=local: what is installed, not what it would download), or undefined. */
export async function localGoVersion(): Promise<string | undefined> {
  const {execa} = await import('execa')
  try {
    const {stdout} = await execa('go', ['env', 'GOVERSION'], {env: {GOTOOLCHAIN: 'local'}})
    return stdout.trim()
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
}

/** `go mod tidy`, so the project builds at once; needs a Go at least as new as the go.mod directive. */
export function goModTidy(directory: string, minimumGo: string): Promise<StepResult> {
  const byHand = `then run \`cd ${directory} && go mod tidy\``
  return timed('go mod tidy', async () => {
    const found = await localGoVersion()
    if (!found) {
      return {status: 'failed', detail: 'go was not found on PATH', fix: `install Go ${minimumGo} or newer, ${byHand}`}
    }
    if (!isGoVersionAtLeast(found, minimumGo)) {
      return {status: 'failed', detail: `${found} is older than the Go ${minimumGo} this project needs`, fix: `install Go ${minimumGo} or newer, ${byHand}`}
    }
    const {execa} = await import('execa')
    const result = await execa('go', ['mod', 'tidy'], {cwd: directory, reject: false, all: true})
    if (result.exitCode !== 0) return {status: 'failed', detail: firstLine(result.all), fix: `fix that, ${byHand}`}
    return {status: 'ok'}
  })
}
