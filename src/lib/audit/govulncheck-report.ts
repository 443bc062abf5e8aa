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
  /** The GOOS/GOARCH builds it is called on (found on, when it is called on none); set by a scan of several. */
  platforms?: string[]
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

/** Where an advisory holds: per module, the packages and the systems (none listed: every one). */
interface Affected {
  package?: {name?: string}
  ecosystem_specific?: {imports?: {path?: string; goos?: string[]; goarch?: string[]}[]}
}

interface Message {
  config?: {go_version?: string}
  /** Binary mode: the Go release that built the binary. */
  SBOM?: {go_version?: string}
  osv?: {id: string; affected?: Affected[]}
  finding?: {osv: string; fixed_version?: string; trace: Frame[]}
}

/** Closer is higher: a finding seen at several reaches is kept at its highest. */
export const REACH_RANK: Record<Reach, number> = {called: 2, imported: 1, required: 0}

/**
 * Reads `govulncheck -format json`: a stream of JSON objects, one message each. A finding comes once per
 * trace and level, so each advisory is kept once per module, at the closest reach seen. With a `platform`
 * (GOOS/GOARCH), findings of advisories that hold on other systems only are dropped: a source scan does not
 * tell (GO-2026-6604, in os.Root on Windows, is "called" by a Linux build that uses os.Root).
 */
export function parseGovulncheck(stream: string, platform?: string): VulnReport {
  let goVersion = ''
  const byKey = new Map<string, VulnFinding>()
  const messages = [...jsonValues(stream)] as Message[]
  const advisories = new Map(messages.flatMap((m) => (m.osv ? [[m.osv.id, m.osv.affected ?? []] as const] : [])))
  for (const message of messages) {
    goVersion = message.config?.go_version || message.SBOM?.go_version || goVersion
    const finding = message.finding
    if (!finding) continue
    const top = finding.trace[0] ?? {}
    if (platform && !holdsOn(platform, advisories.get(finding.osv), top)) continue
    const reach: Reach = top.function ? 'called' : top.package ? 'imported' : 'required'
    const next: VulnFinding = {id: finding.osv, module: top.module ?? 'unknown', version: top.version ?? '', reach}
    if (finding.fixed_version) next.fixed = finding.fixed_version
    const key = `${next.id} ${next.module}`
    const seen = byKey.get(key)
    if (!seen || REACH_RANK[reach] > REACH_RANK[seen.reach]) byKey.set(key, next)
  }
  const findings = [...byKey.values()].sort((a, b) => a.module.localeCompare(b.module) || a.id.localeCompare(b.id))
  return {goVersion, findings}
}

/**
 * Whether an advisory holds on GOOS/GOARCH for the module and package a finding is in: any of its entries
 * there names the system, or names none. Without the advisory's text it is taken to hold.
 */
function holdsOn(platform: string, affected: Affected[] | undefined, at: Frame): boolean {
  const [goos, goarch] = platform.split('/')
  const entries = (affected ?? []).filter((a) => !at.module || a.package?.name === at.module)
  // An entry that names no packages holds for the whole module, everywhere.
  if (entries.some((a) => !a.ecosystem_specific?.imports?.length)) return true
  const imports = entries.flatMap((a) => a.ecosystem_specific?.imports ?? []).filter((i) => !at.package || i.path === at.package)
  if (!imports.length) return true
  return imports.some((i) => (!i.goos?.length || i.goos.includes(goos!)) && (!i.goarch?.length || i.goarch.includes(goarch!)))
}
