import {compareVersions} from '../../versions.js'

// go.mod is not merged line by line: `go mod tidy` moves and adds requirements in the project, so a kind's
// change next to a line tidy moved would always conflict. What a kind changes in go.mod is versions: a
// requirement raised or added, the go directive raised. Those are applied to the project's go.mod by
// meaning, never lowering what the project already requires; tidy then puts everything in its place.

interface Requirement {
  version: string
  indirect: boolean
}

const REQUIRE_LINE = /^\s*(?:require\s+)?([^\s()]+)\s+(v[^\s/]+)\s*(\/\/\s*indirect)?\s*$/

/** module -> requirement, from every require line and block of a go.mod. */
function requirements(goMod: string): Map<string, Requirement> {
  const found = new Map<string, Requirement>()
  let inBlock = false
  for (const line of goMod.split('\n')) {
    if (/^require\s*\($/.test(line.trim())) inBlock = true
    else if (inBlock && line.trim() === ')') inBlock = false
    else if (inBlock || /^require\s/.test(line)) {
      const match = REQUIRE_LINE.exec(line)
      if (match) found.set(match[1]!, {version: match[2]!, indirect: match[3] !== undefined})
    }
  }
  return found
}

const goDirective = (goMod: string) => /^go[ \t]+(\S+)[ \t]*$/m.exec(goMod)?.[1]

/** The project's go.mod with what the kind changed between base and theirs applied by meaning. */
export function mergeGoMod(ours: string, base: string, theirs: string): string {
  let merged = ours
  const before = requirements(base)
  const now = requirements(ours)
  for (const [module, wanted] of requirements(theirs)) {
    if (before.get(module)?.version === wanted.version) continue
    const have = now.get(module)
    if (have && compareVersions(have.version, wanted.version) >= 0) continue
    if (have) {
      const line = new RegExp(`^(\\s*(?:require\\s+)?${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+)v[^\\s/]+`, 'm')
      merged = merged.replace(line, `$1${wanted.version}`)
    } else {
      const entry = `\t${module} ${wanted.version}${wanted.indirect ? ' // indirect' : ''}`
      merged = /^require\s*\($/m.test(merged) ? merged.replace(/^require\s*\(\n/m, `require (\n${entry}\n`) : `${merged.trimEnd()}\n\nrequire (\n${entry}\n)\n`
    }
  }
  const [baseGo, theirGo, ourGo] = [goDirective(base), goDirective(theirs), goDirective(merged)]
  if (theirGo && theirGo !== baseGo && ourGo && compareVersions(ourGo, theirGo) < 0) merged = merged.replace(/^go[ \t]+\S+[ \t]*$/m, `go ${theirGo}`)
  return merged
}
