import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'

import {listTree, tempDir} from '../helpers.js'
import {Terminal} from '../pty.js'

const GOLDEN = join(import.meta.dirname, '../golden/secrets')
const ENTER = '\r'
const BACKSPACE = '\u007F'

test('answering the prompts in a terminal gives the same tree as the flags', async () => {
  const cwd = tempDir()
  const terminal = new Terminal(['plugin', 'new', '--no-tidy', '--no-git'], cwd)
  await terminal.waitFor(/What kind of plugin\?/)
  await terminal.waitFor(/secrets/)
  await terminal.type(ENTER)
  await terminal.waitFor(/Plugin name\?/)
  // A builtin's name is refused inside the prompt; the person corrects it.
  await terminal.type(`kv${ENTER}`)
  await terminal.waitFor(/would shadow Vault's builtin kv plugin/)
  await terminal.type(`${BACKSPACE}${BACKSPACE}hello${ENTER}`)
  await terminal.waitFor(/Go module path\? \(example\.com\/vault-plugin-secrets-hello\)/)
  await terminal.type(ENTER)
  await terminal.waitFor(/One-line description\? \(The hello secrets engine for HashiCorp Vault\)/)
  await terminal.type(ENTER)
  expect(await terminal.exit()).toBe(0)
  expect(terminal.screen).toContain('Created vault-plugin-secrets-hello')

  const project = join(cwd, 'vault-plugin-secrets-hello')
  expect(listTree(project)).toEqual(listTree(GOLDEN))
  for (const file of listTree(GOLDEN)) {
    expect(readFileSync(join(project, file), 'utf8'), file).toBe(readFileSync(join(GOLDEN, file), 'utf8'))
  }
})

test('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
  const cwd = tempDir()
  const terminal = new Terminal(['plugin', 'new', '--type', 'secrets', '--no-tidy', '--no-git'], cwd)
  await terminal.waitFor(/Plugin name\?/)
  await terminal.type('hel')
  await terminal.type('\u0003')
  expect(await terminal.exit()).toBe(130)
  expect(terminal.screen).toMatch(/Cancelled: nothing was written/)
  expect(readdirSync(cwd)).toEqual([])
})

test("a kind's own questions are asked in a terminal: input checked against its pattern, select, confirm, and one only when its condition holds", async () => {
  const cwd = tempDir()
  const {smallKind, SMALL_FILES, writeKind} = await import('../kinds.js')
  const kind = writeKind(join(cwd, 'small'), smallKind(), SMALL_FILES)
  const terminal = new Terminal(['plugin', 'new', 'hello', '--template', kind, '--no-tidy', '--no-git'], cwd)
  await terminal.waitFor(/Go module path\?/)
  await terminal.type(ENTER)
  await terminal.waitFor(/One-line description\?/)
  await terminal.type(ENTER)
  await terminal.waitFor(/Owner\? \(ops\)/)
  await terminal.type(`${BACKSPACE.repeat(3)}Dev${ENTER}`)
  await terminal.waitFor(/"Dev" does not answer "owner": it must match \[a-z\]\+/)
  await terminal.type(`${BACKSPACE.repeat(3)}dev${ENTER}`)
  await terminal.waitFor(/Storage\?/)
  await terminal.type('\u001B[B') // arrow down: redis
  await terminal.type(ENTER)
  await terminal.waitFor(/Notes\? \(Y\/n\)/)
  await terminal.type(`n${ENTER}`)
  await terminal.waitFor(/Redis address\?/)
  await terminal.type(ENTER)
  expect(await terminal.exit()).toBe(0)
  const project = join(cwd, 'vault-plugin-secrets-hello')
  expect(readFileSync(join(project, 'redis/ADDR'), 'utf8')).toBe('127.0.0.1:6379\n')
  expect(readdirSync(project)).not.toContain('NOTES.md')
})
