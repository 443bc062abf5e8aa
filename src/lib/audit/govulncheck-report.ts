import {jsonValues} from '../json-stream.js'

/** How close the plugin comes to a vulnerability: it calls the function, imports the package, or only requires the module. */
export type Reach = 'called' | 'imported' | 'required'

export interface VulnFinding {
  /** The advisory, e.g. GO-2026-4918. */
  id: string
  /** The module path, or `stdlib` for Go's standard library. */
  module: string
  /** The version the project uses (for stdlib, the Go release that loaded it). */
  version: string
  /** The first version that fixes it; absent when there is none yet. */
  fixed?: string
  reach: Reach
}

export interface VulnReport {
  /** The Go release govulncheck ran with, e.g. go1.26.8. */
  goVersion: string
  findings: VulnFinding[]
}

interface Frame {
  module?: string
  version?: string
  package?: string
  function?: string
}

interface Message {
  config?: {go_version?: string}
  finding?: {osv: string; fixed_version?: string; trace: Frame[]}
}

const RANK: Record<Reach, number> = {called: 2, imported: 1, required: 0}

/**
 * Reads `govulncheck -format json`: a stream of JSON objects, one message each. A finding comes once per
 * trace and level, so each advisory is kept once per module, at the closest reach seen.
 */
export function parseGovulncheck(stream: string): VulnReport {
  let goVersion = ''
  const byKey = new Map<string, VulnFinding>()
  for (const message of jsonValues(stream) as Message[]) {
    if (message.config?.go_version) goVersion = message.config.go_version
    const finding = message.finding
    if (!finding) continue
    const top = finding.trace[0] ?? {}
    const reach: Reach = top.function ? 'called' : top.package ? 'imported' : 'required'
    const next: VulnFinding = {id: finding.osv, module: top.module ?? 'unknown', version: top.version ?? '', reach}
    if (finding.fixed_version) next.fixed = finding.fixed_version
    const key = `${next.id} ${next.module}`
    const seen = byKey.get(key)
    if (!seen || RANK[reach] > RANK[seen.reach]) byKey.set(key, next)
  }
  const findings = [...byKey.values()].sort((a, b) => a.module.localeCompare(b.module) || a.id.localeCompare(b.id))
  return {goVersion, findings}
}
