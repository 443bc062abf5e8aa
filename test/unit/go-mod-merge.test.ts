import {expect, test} from 'vitest'

import {mergeGoMod} from '../../src/lib/scaffold/upgrade/go-mod-merge.js'

const BASE = `module example.com/p

go 1.25.7

require (
\tgithub.com/hashicorp/vault/sdk v0.25.0
)
`

// What go mod tidy made of it in the project, with a requirement of the author's own.
const OURS = `module example.com/p

go 1.25.7

require (
\tgithub.com/hashicorp/go-uuid v1.0.3
\tgithub.com/hashicorp/vault/sdk v0.25.0
)

require (
\tgolang.org/x/net v0.52.0 // indirect
\tgolang.org/x/text v0.45.0 // indirect
)
`

const THEIRS = `module example.com/p

go 1.26.0

require (
\tgithub.com/hashicorp/vault/sdk v0.25.1
\tgolang.org/x/net v0.60.0 // indirect
\tgolang.org/x/text v0.41.0 // indirect
\tgoogle.golang.org/grpc v1.83.2 // indirect
)
`

test("the kind's raised versions reach the project's go.mod wherever tidy put them; nothing is lowered", () => {
  expect(mergeGoMod(OURS, BASE, THEIRS)).toBe(`module example.com/p

go 1.26.0

require (
\tgoogle.golang.org/grpc v1.83.2 // indirect
\tgithub.com/hashicorp/go-uuid v1.0.3
\tgithub.com/hashicorp/vault/sdk v0.25.1
)

require (
\tgolang.org/x/net v0.60.0 // indirect
\tgolang.org/x/text v0.45.0 // indirect
)
`)
})

test('a requirement the kind did not change is left as the project has it, even when lower', () => {
  const ours = OURS.replace('vault/sdk v0.25.0', 'vault/sdk v0.24.0')
  expect(mergeGoMod(ours, THEIRS, THEIRS)).toBe(ours)
})

test('a replace block before the requirements, and a commented requirement, are left as they are', () => {
  const ours = `module example.com/p

go 1.25.7

replace github.com/hashicorp/vault/sdk => ../sdk

replace (
\tgithub.com/hashicorp/vault/sdk v0.25.0 => ../sdk
)

require (
\tgithub.com/hashicorp/vault/sdk v0.25.0 // pinned for the team
)
`
  const merged = mergeGoMod(ours, BASE, THEIRS)!
  expect(merged).toContain('\tgithub.com/hashicorp/vault/sdk v0.25.0 => ../sdk\n')
  expect(merged).toContain('\tgithub.com/hashicorp/vault/sdk v0.25.1 // pinned for the team\n')
  expect(merged.match(/vault\/sdk v0\.25\.1/g)).toHaveLength(1)
})

test('a go directive is never lowered', () => {
  expect(mergeGoMod(OURS.replace('go 1.25.7', 'go 1.27.0'), BASE, THEIRS)).toMatch(/^go 1\.27\.0$/m)
})

test('a change of the kind beyond requirements and the go directive is left to the line merge', () => {
  expect(mergeGoMod(OURS, BASE, `${THEIRS}\ntoolchain go1.26.10\n`)).toBeUndefined()
})
