import {describe, expect, test} from 'vitest'

import {parseGovulncheck} from '../../src/lib/audit/govulncheck-report.js'

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

  test('an empty scan has no findings', () => {
    expect(parseGovulncheck('').findings).toEqual([])
  })
})
