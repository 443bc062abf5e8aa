import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {renderProject} from '../../src/lib/scaffold/new-project.js'
import {resolveAnswers} from '../../src/lib/scaffold/questions/resolve.js'
import {listKinds} from '../../src/lib/templates/kinds.js'
import {listTree} from '../helpers.js'

// Each kind rendered with the answers of `vaultkit plugin new NAME --type KIND --yes`, under two names: a
// text that says "hello" where it should name the plugin only shows in the second tree.
// After a deliberate template change: UPDATE_GOLDEN=1 npx vitest run test/golden, then review the diff.
const kinds = listKinds()
const renders = kinds.flatMap((k) => [
  {kind: k.manifest.name, name: 'hello', dir: k.manifest.name},
  {kind: k.manifest.name, name: 'acme-billing', dir: join('acme-billing', k.manifest.name)},
])

describe.each(renders)('the $kind kind named $name', ({kind, name, dir}) => {
  test('renders exactly the committed tree', async () => {
    const answers = await resolveAnswers({name, type: kind}, {yes: true, interactive: false}, {kinds})
    const {files} = await renderProject(answers, kinds)
    const golden = join(import.meta.dirname, dir)
    if (process.env.UPDATE_GOLDEN) {
      rmSync(golden, {recursive: true, force: true})
      for (const file of files) {
        mkdirSync(dirname(join(golden, file.path)), {recursive: true})
        writeFileSync(join(golden, file.path), file.contents)
      }
    }
    expect(files.map((f) => f.path)).toEqual(listTree(golden))
    for (const file of files) {
      expect(file.contents.toString('utf8'), file.path).toBe(readFileSync(join(golden, file.path), 'utf8'))
    }
  })
})
