import {expect, test} from 'vitest'

import {portablePathProblem} from '../../src/lib/scaffold/portable-paths.js'

test('paths macOS and Windows hold as they are: none', () => {
  expect(portablePathProblem(['.github/workflows/test.yml', 'README.md', 'cmd/vault-plugin-secrets-hello/main.go', 'Makefile', 'console.go', 'auxiliary/a.go'])).toBeUndefined()
})

test.each([
  [['README.md', 'docs/a.md', 'readme.md'], 'README.md and readme.md, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case)'],
  // Folders too, and a file against a folder.
  [['Docs/a.md', 'docs/b.md'], 'Docs and docs, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case)'],
  [['notes', 'NOTES/a.md'], 'notes and NOTES, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case)'],
  // APFS does not tell the composed é from e and a combining accent either.
  [['caf\u00e9.md', 'cafe\u0301.md'], 'caf\u00e9.md and cafe\u0301.md, names that differ only in case or Unicode normalization: macOS keeps one of them (Windows too, for case)'],
  [['docs/a:b.md'], 'docs/a:b.md, a name with ":", which Windows does not allow in a file name'],
  [['x/aux.go'], 'x/aux.go, a name Windows reserves (aux)'],
  [['COM1/a.go'], 'COM1, a name Windows reserves (COM1)'],
  [['notes.'], 'notes., a name ending in a dot or space, which Windows drops'],
])('%j: %s', (paths, problem) => {
  expect(portablePathProblem(paths)).toBe(problem)
})
