import {readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'

// How a repository builds its plugin, read from its Makefile and scripts/ where that can be done reliably:
// plain variable assignments expanded, literal flags taken; anything computed by a shell is left out and said.

export interface BuildSettingsFound {
  tags: string[]
  tagsFrom?: string
  cgo: boolean
  cgoFrom?: string
  /** Variables that the build sets with -ldflags -X (`github.com/x/y/version.Version`), and the file that sets each. */
  ldflagVariables: Array<{variable: string; from: string}>
  notes: string[]
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?=|:=|::=|=)\s*(.*?)\s*$/
const REFERENCE = /\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g

export async function readBuildSettings(root: string): Promise<BuildSettingsFound> {
  const found: BuildSettingsFound = {tags: [], cgo: false, ldflagVariables: [], notes: []}
  const makefile = await readFile(join(root, 'Makefile'), 'utf8').catch(() => undefined)
  const variables = new Map<string, string>()
  const lines = (makefile ?? '').replace(/\\\n/g, ' ').split('\n')
  for (const line of lines) {
    const match = ASSIGNMENT.exec(line)
    // The first assignment wins, as for `?=`, which is how plugin Makefiles give defaults.
    if (match && !variables.has(match[1]!)) variables.set(match[1]!, match[2]!.replace(/\s*#.*$/, ''))
  }
  const expand = (text: string, depth = 0): string | undefined => {
    if (depth > 10 || /\$\$|\$\(shell\b|`/.test(text)) return undefined
    let unresolved = false
    const out = text.replace(REFERENCE, (_m, name: string) => {
      const value = variables.get(name)
      const expanded = value === undefined ? undefined : expand(value, depth + 1)
      if (expanded === undefined) unresolved = true
      return expanded ?? ''
    })
    return unresolved ? undefined : out
  }

  if (makefile !== undefined) {
    const buildLines = lines.filter((line) => /\bgo\s+(build|install)\b|\bgox\b/.test(line))
    const tagsDeclared = variables.get('BUILD_TAGS')
    const literal = buildLines.map((line) => /-tags[= ]+['"]?([^'"\s]+)/.exec(line)?.[1]).find((tags) => tags !== undefined)
    const source = literal ?? (tagsDeclared === undefined ? undefined : '$(BUILD_TAGS)')
    if (source !== undefined) {
      const tags = expand(source)
      if (tags === undefined) found.notes.push(`The Makefile computes its build tags (${source}): none taken; add them to plugin.build.tags by hand if the plugin needs them`)
      else if (tags.trim()) {
        found.tags = tags.split(/[\s,]+/).filter(Boolean)
        found.tagsFrom = literal ? 'Makefile (go build -tags)' : 'Makefile (BUILD_TAGS)'
      }
    }
    if (buildLines.some((line) => /\bCGO_ENABLED=1\b/.test(line))) {
      found.cgo = true
      found.cgoFrom = 'Makefile (CGO_ENABLED=1)'
    }
  }

  const scripts = await readdir(join(root, 'scripts')).catch(() => [] as string[])
  const sources = [...(makefile === undefined ? [] : [{file: 'Makefile', text: lines.join('\n')}])]
  for (const script of scripts.filter((f) => f.endsWith('.sh'))) {
    sources.push({file: `scripts/${script}`, text: await readFile(join(root, 'scripts', script), 'utf8').catch(() => '')})
  }
  for (const {file, text} of sources) {
    for (const match of text.matchAll(/-X\s*['"]?([^\s='"]+)=/g)) {
      const variable = file === 'Makefile' ? expand(match[1]!) : /\$/.test(match[1]!) ? undefined : match[1]
      if (!variable && /version$/i.test(match[1]!)) found.notes.push(`${file} sets ${match[1]} with -ldflags -X, computed when it runs: not taken; set plugin.version in .vaultkit.json by hand if it is the version`)
      else if (variable && !found.ldflagVariables.some((v) => v.variable === variable)) found.ldflagVariables.push({variable, from: file})
    }
  }
  return found
}
