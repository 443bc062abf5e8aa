/**
 * Why a set of relative paths cannot be checked out as they are on macOS or Windows ("a and b, names
 * that..."), or undefined when they can. APFS compares names without case and without Unicode
 * normalization, NTFS without case, so two names that differ only that way are one file (or folder) there;
 * Windows also reserves some names and characters. Go's module rules (golang.org/x/mod) refuse all of
 * these, and more.
 */
export function portablePathProblem(paths: readonly string[]): string | undefined {
  // Every file and every folder above one: a folder Docs/ and a folder docs/ are one folder there too.
  const names = new Set(paths.flatMap((path) => path.split('/').map((_, i, elements) => elements.slice(0, i + 1).join('/'))))
  const seen = new Map<string, string>()
  for (const name of names) {
    const folded = name.normalize('NFC').toLowerCase()
    const other = seen.get(folded)
    if (other !== undefined) return `${other} and ${name}, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case)`
    seen.set(folded, name)
    const why = windowsRefusal(name.slice(name.lastIndexOf('/') + 1))
    if (why) return `${name}, a name ${why}`
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
