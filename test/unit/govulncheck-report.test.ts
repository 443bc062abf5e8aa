import {describe, expect, test} from 'vitest'

import {type VulnFinding, parseGovulncheck} from '../../src/lib/audit/govulncheck-report.js'
import {type AuditResult, allowFlags, blockedError, blockingFindings, findingLines} from '../../src/lib/audit/govulncheck.js'

// The shape of `govulncheck -format json` (protocol v1.0.0): indented objects one after another, and one
// finding per trace, so an advisory appears several times at different depths.
const STREAM = `{
  "config": {
    "protocol_version": "v1.0.0",
    "go_version": "go1.26.8",
    "scan_level": "symbol"
  }
}
{
  "osv": {"id": "GO-2026-4918", "summary": "a brace { in a \\"string\\" }"}
}
{
  "finding": {"osv": "GO-2026-4918", "fixed_version": "v0.53.0", "trace": [{"module": "golang.org/x/net", "version": "v0.52.0"}]}
}
{
  "finding": {"osv": "GO-2026-4918", "fixed_version": "v0.53.0", "trace": [{"module": "golang.org/x/net", "version": "v0.52.0", "package": "golang.org/x/net/http2", "function": "Transport.RoundTrip"}, {"module": "example.com/p", "function": "main"}]}
}
{
  "finding": {"osv": "GO-2026-4918", "fixed_version": "v0.53.0", "trace": [{"module": "golang.org/x/net", "version": "v0.52.0", "package": "golang.org/x/net/http2"}]}
}
{
  "finding": {"osv": "GO-2026-6809", "fixed_version": "v1.26.10", "trace": [{"module": "stdlib", "version": "v1.26.8", "package": "net/http"}]}
}
{
  "finding": {"osv": "GO-2026-0001", "trace": [{"module": "github.com/a/b", "version": "v1.0.0"}]}
}
`

describe('parseGovulncheck', () => {
  test('keeps each advisory once per module, at the closest reach', () => {
    const report = parseGovulncheck(STREAM)
    expect(report.goVersion).toBe('go1.26.8')
    expect(report.findings).toEqual([
      {id: 'GO-2026-0001', module: 'github.com/a/b', version: 'v1.0.0', reach: 'required'},
      {id: 'GO-2026-4918', module: 'golang.org/x/net', version: 'v0.52.0', fixed: 'v0.53.0', reach: 'called'},
      {id: 'GO-2026-6809', module: 'stdlib', version: 'v1.26.8', fixed: 'v1.26.10', reach: 'imported'},
    ])
  })

  test('binary mode: the Go release is the one that built the binary, named in its SBOM message', () => {
    const binary = `{"config": {"protocol_version": "v1.0.0", "scan_level": "symbol", "scan_mode": "binary"}}
{"SBOM": {"go_version": "go1.27.3", "modules": [{"path": "example.com/p", "version": "(devel)"}]}}
{"finding": {"osv": "GO-2026-4918", "fixed_version": "v0.53.0", "trace": [{"module": "golang.org/x/net", "version": "v0.52.0", "package": "golang.org/x/net/http2", "function": "Transport.RoundTrip"}]}}
`
    expect(parseGovulncheck(binary)).toEqual({goVersion: 'go1.27.3', findings: [{id: 'GO-2026-4918', module: 'golang.org/x/net', version: 'v0.52.0', fixed: 'v0.53.0', reach: 'called'}]})
  })

  test('an empty scan has no findings', () => {
    expect(parseGovulncheck('').findings).toEqual([])
  })

  test("for a platform, an advisory that holds on other systems only is dropped, whatever the call graph says", () => {
    // GO-2026-6604's own entry: os.Root on Windows. A source scan reports a Linux build's call of os.Root.MkdirAll.
    const windowsOnly = `${STREAM}
{"osv": {"id": "GO-2026-6604", "affected": [{"package": {"name": "stdlib"}, "ecosystem_specific": {"imports": [
  {"path": "os", "goos": ["windows"], "symbols": ["Root.MkdirAll"]},
  {"path": "internal/syscall/windows", "goos": ["windows"], "symbols": ["Mkdirat"]}]}}]}}
{"finding": {"osv": "GO-2026-6604", "fixed_version": "v1.26.9", "trace": [{"module": "stdlib", "version": "v1.26.8", "package": "os", "function": "Root.MkdirAll"}]}}
{"finding": {"osv": "GO-2026-6604", "fixed_version": "v1.26.9", "trace": [{"module": "stdlib", "version": "v1.26.8"}]}}
{"osv": {"id": "GO-2026-0002", "affected": [{"package": {"name": "github.com/a/b"}, "ecosystem_specific": {"imports": [{"path": "github.com/a/b/asm", "goarch": ["arm64"]}]}}]}}
{"finding": {"osv": "GO-2026-0002", "trace": [{"module": "github.com/a/b", "version": "v1.0.0", "package": "github.com/a/b/asm", "function": "Sum"}]}}
`
    const ids = (platform?: string) => parseGovulncheck(windowsOnly, platform).findings.map((f) => `${f.id} ${f.reach}`)
    expect(ids('linux/amd64')).toEqual(['GO-2026-0001 required', 'GO-2026-4918 called', 'GO-2026-6809 imported'])
    expect(ids('windows/amd64')).toContain('GO-2026-6604 called')
    expect(ids('windows/amd64')).not.toContain('GO-2026-0002 called')
    expect(ids('linux/arm64')).toContain('GO-2026-0002 called')
    // An entry that names no packages holds for the whole module, on every system, beside one that does.
    const everywhere = windowsOnly.replace('{"osv": {"id": "GO-2026-6604", "affected": [', '{"osv": {"id": "GO-2026-6604", "affected": [{"package": {"name": "stdlib"}}, ')
    expect(parseGovulncheck(everywhere, 'linux/amd64').findings.map((f) => f.id)).toContain('GO-2026-6604')
    // Without a platform, as govulncheck itself says.
    expect(ids()).toEqual(expect.arrayContaining(['GO-2026-6604 called', 'GO-2026-0002 called']))
  })
})

describe('what a release stopped by the gate is told', () => {
  const stdlib: VulnFinding = {id: 'GO-2026-6809', module: 'stdlib', version: 'v1.26.8', fixed: 'v1.26.10', reach: 'called'}
  const net: VulnFinding = {id: 'GO-2026-4918', module: 'golang.org/x/net', version: 'v0.52.0', fixed: 'v0.53.0', reach: 'called'}

  test('a module advisory comes first, with the one go get that fixes it', () => {
    const error = blockedError([stdlib, net], '1.26.10')
    expect(error.message).toBe('the plugin calls code with known vulnerabilities: GO-2026-4918 in golang.org/x/net@v0.52.0 (fixed in v0.53.0) and 1 more (`vaultkit plugin audit` lists them)')
    expect(error.hint).toBe('go get golang.org/x/net@v0.53.0 && go mod tidy, then release again; or release anyway with --allow-vuln for each; nothing was written')
  })

  test('a standard-library advisory names the Go release that fixes it, as Go names releases', () => {
    const error = blockedError([stdlib], '1.26.10')
    expect(error.message).toBe('the plugin calls code with a known vulnerability: GO-2026-6809 in the standard library of go1.26.8 (fixed in go1.26.10)')
    expect(error.hint).toBe("build with the project's Go (.go-version), e.g. GOTOOLCHAIN=go1.26.10: go1.26.10 fixes it, then release again; or release anyway with --allow-vuln GO-2026-6809; nothing was written")
    // Fixes ship on each supported line: a newer .go-version of another line is not said to have it.
    expect(blockedError([{...stdlib, fixed: 'v1.25.9'}], '1.26.1').hint).toMatch(/^build with go1\.25\.9 or newer, e\.g\. GOTOOLCHAIN=go1\.25\.9, and raise \.go-version from 1\.26\.1/)
    expect(blockedError([stdlib], '1.26.9').hint).toMatch(/^build with go1\.26\.10 or newer, e\.g\. GOTOOLCHAIN=go1\.26\.10, and raise \.go-version from 1\.26\.9, then release again/)
  })

  test('what --allow-vuln names is let through, wherever it is found', () => {
    const result = {called: [stdlib, net, {...net, id: stdlib.id}]} as AuditResult
    expect(blockingFindings(result, ['GO-2026-6809'])).toEqual([net])
  })
})

describe('what plugin audit prints', () => {
  const stdlib = (id: string, fixed: string): VulnFinding => ({id, module: 'stdlib', version: 'v1.26.8', fixed, reach: 'called'})
  const net: VulnFinding = {id: 'GO-2026-4918', module: 'golang.org/x/net', version: 'v0.52.0', fixed: 'v0.53.0', reach: 'called'}

  test("a module's advisory with its go get; the standard library's once, with the newest Go release among theirs", () => {
    const called = [net, stdlib('GO-2026-6603', 'v1.26.9'), stdlib('GO-2026-6809', 'v1.26.10'), stdlib('GO-2026-6605', 'v1.26.9')]
    const uncalled: VulnFinding[] = [{...net, id: 'GO-2026-0001', reach: 'required'}]
    expect(findingLines({called, uncalled, platforms: ['linux/amd64'], projectGo: '1.26.10'})).toEqual([
      '  called   GO-2026-4918 in golang.org/x/net@v0.52.0 (fixed in v0.53.0): go get golang.org/x/net@v0.53.0 && go mod tidy',
      '  called   GO-2026-6603 in the standard library of go1.26.8 (fixed in go1.26.9)',
      '  called   GO-2026-6809 in the standard library of go1.26.8 (fixed in go1.26.10)',
      '  called   GO-2026-6605 in the standard library of go1.26.8 (fixed in go1.26.9)',
      "  the 3 in the standard library: build with the project's Go (.go-version), e.g. GOTOOLCHAIN=go1.26.10: go1.26.10 fixes it",
      '  required GO-2026-0001 in golang.org/x/net@v0.52.0 (fixed in v0.53.0)',
    ])
    // One is said with its own fix.
    expect(findingLines({called: [stdlib('GO-2026-6603', 'v1.26.9')], uncalled: [], platforms: ['linux/amd64']})).toEqual([
      '  called   GO-2026-6603 in the standard library of go1.26.8 (fixed in go1.26.9): build with go1.26.9 or newer, e.g. GOTOOLCHAIN=go1.26.9',
    ])
  })

  test('the flags that let them through, each advisory once', () => {
    expect(allowFlags([net, stdlib('GO-2026-6603', 'v1.26.9'), {...net, module: 'golang.org/x/text'}])).toBe('--allow-vuln GO-2026-4918 --allow-vuln GO-2026-6603')
  })
})
