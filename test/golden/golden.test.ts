import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, test} from 'vitest'

import {renderProject} from '../../src/lib/new-project.js'
import {resolveAnswers} from '../../src/lib/questions/resolve.js'
import {listKinds} from '../../src/lib/templates/kinds.js'
import {listTree} from '../helpers.js'

// Each kind rendered with the answers of `vaultkit plugin new hello --type KIND --yes`.
// After a deliberate template change: UPDATE_GOLDEN=1 npx vitest run test/golden, then review the diff.
const kinds = listKinds()

describe.each(kinds.map((k) => k.manifest.name))('the %s kind', (kind) => {
  test('renders exactly the committed tree', async () => {
    const answers = await resolveAnswers({name: 'hello', type: kind}, {yes: true, interactive: false}, {kinds})
    const {files} = await renderProject(answers, kinds)
    const golden = join(import.meta.dirname, kind)
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
