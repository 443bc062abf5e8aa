import {compareVersions} from '../../versions.js'

// go.mod is not merged line by line: `go mod tidy` moves and adds requirements in the project, so a kind's
// change next to a line tidy moved would always conflict. What a kind changes in go.mod is versions: a
// requirement raised or added, the go directive raised. Those are applied to the project's go.mod by
// meaning, never lowering what the project already requires; tidy then puts everything in its place.
// Anything else the kind changed there (a replace, a toolchain line) is not merged: the caller falls back.

interface Requirement {
  version: string
  indirect: boolean
  /** Index of its line. */
  line: number
}

const REQUIREMENT = /^(\s*(?:require\s+)?)([^\s()]+)(\s+)(v[^\s/]+)(.*)$/

/** module -> requirement, from every require line and block of a go.mod (replace and exclude blocks left out). */
function requirements(lines: string[]): Map<string, Requirement> {
  const found = new Map<string, Requirement>()
  let block: string | undefined
  lines.forEach((line, index) => {
    const opening = /^(\w+)\s*\($/.exec(line.trim())
    if (opening) block = opening[1]
    else if (block !== undefined && line.trim() === ')') block = undefined
    else if (block === 'require' || (block === undefined && /^require\s/.test(line))) {
      const match = REQUIREMENT.exec(line)
      if (match) found.set(match[2]!, {version: match[4]!, indirect: /\/\/\s*indirect\b/.test(match[5]!), line: index})
    }
  })
  return found
}

const GO_DIRECTIVE = /^go[ \t]+(\S+)[ \t]*$/
const goDirective = (lines: string[]) => lines.map((line) => GO_DIRECTIVE.exec(line)?.[1]).find((v) => v !== undefined)

/** What is left of a go.mod once its requirements and go directive are taken out: what this merge does not handle. */
const rest = (text: string) => {
  const lines = text.split('\n')
  const taken = new Set([...requirements(lines).values()].map((r) => r.line))
  return lines.filter((line, i) => !taken.has(i) && !GO_DIRECTIVE.test(line) && !/^\s*(require\s*\(|\))\s*$/.test(line) && line.trim() !== '').join('\n')
}

/**
 * The project's go.mod with what the kind changed between base and theirs applied by meaning; undefined when
 * the kind changed something else too (replace, exclude, toolchain, tool), which a line merge must handle.
 */
export function mergeGoMod(ours: string, base: string, theirs: string): string | undefined {
  if (rest(base) !== rest(theirs)) return undefined
  const lines = ours.split('\n')
  const before = requirements(base.split('\n'))
  const now = requirements(lines)
  const added: string[] = []
  for (const [module, wanted] of requirements(theirs.split('\n'))) {
    if (before.get(module)?.version === wanted.version) continue
    const have = now.get(module)
    if (have && compareVersions(have.version, wanted.version) >= 0) continue
    if (have) lines[have.line] = lines[have.line]!.replace(REQUIREMENT, (_m, lead, path, gap, _v, tail) => `${lead}${path}${gap}${wanted.version}${tail}`)
    else added.push(`\t${module} ${wanted.version}${wanted.indirect ? ' // indirect' : ''}`)
  }
  const theirGo = goDirective(theirs.split('\n'))
  const ourGo = goDirective(lines)
  if (theirGo && theirGo !== goDirective(base.split('\n')) && ourGo && compareVersions(ourGo, theirGo) < 0) {
    const at = lines.findIndex((line) => GO_DIRECTIVE.test(line))
    lines[at] = `go ${theirGo}`
  }
  if (added.length > 0) {
    const opening = lines.findIndex((line) => /^require\s*\($/.test(line.trim()))
    if (opening >= 0) lines.splice(opening + 1, 0, ...added)
    else lines.push('', 'require (', ...added, ')', '')
  }
  return lines.join('\n')
}
