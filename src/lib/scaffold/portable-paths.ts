/**
 * Why a set of relative paths cannot be checked out as they are on macOS or Windows ("a and b, names
 * that..."), or undefined when they can. APFS and NTFS compare names without case (and APFS without Unicode normalization), so two names that
 * differ only that way are one file there; Windows also reserves some names and characters. Go refuses the
 * same in a module (golang.org/x/mod's CheckFilePath and its case-fold collision check).
 */
export function portablePathProblem(paths: readonly string[]): string | undefined {
  const seen = new Map<string, string>()
  for (const path of paths) {
    const folded = path.normalize('NFC').toLowerCase()
    const other = seen.get(folded)
    if (other !== undefined && other !== path) return `${other} and ${path}, names that differ only in case: macOS and Windows keep one of them`
    seen.set(folded, path)
    for (const element of path.split('/')) {
      const why = windowsRefusal(element)
      if (why) return `${path}, a name ${why}`
    }
  }
  return undefined
}

/** Windows reserves these names, with any extension (CON, con.txt), in every folder. */
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i

function windowsRefusal(element: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  const character = /[<>:"\\|?*\u0000-\u001f]/.exec(element)?.[0]
  if (character !== undefined) return `with ${JSON.stringify(character)}, which Windows does not allow in a file name`
  if (RESERVED.test(element)) return `Windows reserves (${element.split('.')[0]})`
  if (/[. ]$/.test(element)) return 'ending in a dot or space, which Windows drops'
  return undefined
}
