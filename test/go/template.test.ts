import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {runCli, tempDir} from '../helpers.js'
import {EXAMPLE_ANSWERS, EXAMPLE_KIND, smallKind, writeKind} from '../kinds.js'

// `template test` with the real Go toolchain: what a template author runs on a kind.
const GO_STEPS = ['manifest and answers', 'render', 'go mod tidy', 'gofmt -l', 'go vet ./...', 'go test ./...', 'go build ./cmd/...']
const env = () => ({XDG_CONFIG_HOME: tempDir(), VAULTKIT_TEMPLATE_PATH: '', TMPDIR: tempDir()})

describe('template test', () => {
  test('the worked example of docs/templates.md passes with its defaults, and leaves nothing behind', {timeout: 600_000}, async () => {
    const environment = env()
    const result = await runCli(['template', 'test', EXAMPLE_KIND, '--json'], {env: environment})
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ok: true, kind: 'team-secrets', kept: false})
    // Its template.json has no version, so no earlier version to upgrade from.
    const upgrade = ['upgrade from the previous version', 'skipped']
    expect(report.steps.map((s: {step: string; status: string}) => [s.step, s.status])).toEqual([...GO_STEPS.map((s) => [s, 'ok']), upgrade])
    for (const step of report.steps) expect(typeof step.seconds).toBe('number')
    expect(readdirSync(environment.TMPDIR).filter((n) => n.startsWith('vaultkit-'))).toEqual([])
  })

  test('and with its answers file: no creds, the prod on-call contact, another name', {timeout: 600_000}, async () => {
    const result = await runCli(['template', 'test', EXAMPLE_KIND, '--answers', EXAMPLE_ANSWERS, '--keep'], {env: env()})
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    for (const step of GO_STEPS) expect(result.stdout).toMatch(new RegExp(`^✔ ${step.replaceAll('.', '\\.')}.*\\(\\d+(\\.\\d+)? s\\)$`, 'm'))
    const project = /the rendered project is in (\S+)/.exec(result.stdout)![1]!
    expect(project.endsWith('vault-plugin-secrets-billing')).toBe(true)
    expect(existsSync(join(project, 'path_info.go'))).toBe(true)
    expect(existsSync(join(project, 'path_creds.go'))).toBe(false)
  })

  test.each(['secrets', 'auth'])('template new --from %s, then template test, passes with no edits', {timeout: 600_000}, async (from) => {
    const cwd = tempDir()
    const made = await runCli(['template', 'new', `acme-${from}`, '--from', from], {cwd, env: env()})
    expect(made.exitCode, made.stderr).toBe(0)
    const result = await runCli(['template', 'test', `acme-${from}`], {cwd, env: env()})
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain(`The acme-${from} kind passed`)
  })

  test('a kind whose Go is not gofmt-formatted fails there: the rest skipped, exit 1, the project kept', {timeout: 600_000}, async () => {
    const cwd = tempDir()
    const kind = writeKind(join(cwd, 'sloppy'), smallKind({name: 'sloppy', questions: [], files: []}), {'sloppy.go.hbs': 'package {{goPackage}}\n\nfunc  sloppy() {}\n'})
    const result = await runCli(['template', 'test', kind], {cwd, env: env()})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^✖ gofmt -l: not gofmt-formatted: sloppy\.go \(/m)
    expect(result.stdout).toMatch(/^- go vet \.\/\.\.\.: after an earlier failure$/m)
    const kept = /kept in (\S+)$/.exec(result.stderr.trim())![1]!
    expect(result.stderr.trim()).toBe(`Error: The sloppy kind failed at gofmt -l: the rendered project is kept in ${kept}`)
    expect(existsSync(join(kept, 'sloppy.go'))).toBe(true)
  })

  test('a kind that does not compile fails at go vet with the compiler output; --trust runs its commands', {timeout: 600_000}, async () => {
    const cwd = tempDir()
    const manifest = smallKind({name: 'broken', questions: [], files: [], commands: [{run: 'touch command-ran'}]})
    const kind = writeKind(join(cwd, 'broken'), manifest, {'broken.go.hbs': 'package {{goPackage}}\n\nfunc broken() int { return "text" }\n'})
    const result = await runCli(['template', 'test', kind, '--trust', '--json'], {cwd, env: env()})
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.ok).toBe(false)
    expect(report.steps.find((s: {step: string}) => s.step === 'run touch command-ran').status).toBe('ok')
    const vet = report.steps.find((s: {step: string}) => s.step === 'go vet ./...')
    expect(vet.status).toBe('failed')
    expect(vet.output).toMatch(/broken\.go:3:\d+: cannot use "text"/)
    expect(existsSync(join(report.project, 'command-ran'))).toBe(true)
  })
})
