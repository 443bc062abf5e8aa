import {appendFileSync, readFileSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stripVTControlCharacters} from 'node:util'
import {describe, expect, test} from 'vitest'

import {createLogReader, followFile, followPluginLogs, formatLogLine, type LogLine, serverLogLevel, shouldShow} from '../../src/lib/vault/plugin-logs.js'
import {tempDir} from '../helpers.js'

// Lines of a real .vaultkit/vault.log: a Vault v1.21.4 dev server at -log-level=debug running the secrets and
// database kinds, with a log line added to the hello handler, a panic, and a plugin that exits at start.
const CAPTURED = readFileSync(join(import.meta.dirname, '../fixtures/vault-plugin.log'), 'utf8').split('\n')

const stripColour = stripVTControlCharacters

function readAll(binary: string, lines = CAPTURED): LogLine[] {
  const read = createLogReader(binary)
  return lines.filter(Boolean).map(read)
}

const shown = (lines: LogLine[], level: 'trace' | 'debug' | 'info' | 'warn' | 'error' = 'info', vaultLogs = false) =>
  lines.filter((line) => !line.continuation && shouldShow(line, {level, vaultLogs}))

describe('picking the plugin out of a Vault log', () => {
  const lines = readAll('vault-plugin-secrets-hello')

  test('the handler’s log line, at its level, without go-plugin’s timestamp pair', () => {
    const logged = lines.find((line) => line.text.startsWith('hello requested: name=logprobe'))
    expect(logged).toMatchObject({source: 'plugin', level: 'info', stderr: false, text: 'hello requested: name=logprobe'})
    expect(logged?.time).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/)
  })

  test('a panic and its stack trace are stderr lines, shown at any level', () => {
    const panic = lines.filter((line) => line.stderr)
    expect(panic[0]?.text).toBe('panic: boom from the hello handler')
    expect(panic.some((line) => /^goroutine \d+ \[running\]:$/.test(line.text))).toBe(true)
    expect(panic.some((line) => /path_hello\.go:\d+ \+0x/.test(line.text))).toBe(true)
    for (const level of ['error', 'info'] as const) expect(shown(panic, level)).toHaveLength(panic.length)
  })

  test('go-plugin’s line about the process names the binary by path', () => {
    expect(lines.find((line) => line.text.startsWith('plugin process exited'))).toMatchObject({source: 'plugin', level: 'error'})
  })

  test('Vault’s own lines are Vault’s, and shown only when asked', () => {
    const core = lines.filter((line) => line.source === 'vault' && line.name === 'core')
    expect(core.length).toBeGreaterThan(5)
    expect(shown(lines).every((line) => line.source === 'plugin')).toBe(true)
    expect(shown(lines, 'info', true).some((line) => line.name === 'core')).toBe(true)
    // Another plugin's lines are not this one's.
    expect(lines.filter((line) => line.source === 'plugin').every((line) => !/database/.test(line.text))).toBe(true)
  })

  test('the level filter: debug lines only from --log-level debug', () => {
    const debugLines = lines.filter((line) => line.source === 'plugin' && line.level === 'debug' && !line.stderr)
    expect(debugLines.length).toBeGreaterThan(0)
    expect(shown(debugLines, 'info')).toEqual([])
    expect(shown(debugLines, 'debug')).toEqual(debugLines)
  })

  test('a database plugin’s plain hclog lines (logged by Vault at debug) keep their own level', () => {
    const database = readAll('vault-plugin-database-hello').filter((line) => line.source === 'plugin')
    expect(database.length).toBeGreaterThan(0)
    expect(database.find((line) => /initialized/.test(line.text))).toMatchObject({level: 'info', stderr: false})
  })
})

describe('reading hclog’s format', () => {
  const binary = 'vault-plugin-secrets-hello'
  const prefix = '2026-12-01T14:40:00.123Z'

  test.each([
    [`${prefix} [INFO]  secrets.hello.hello_72db2dc4.hello.${binary}: hello requested: path=hello timestamp=2026-12-01T14:40:00.122Z`, 'plugin', 'info', 'hello requested: path=hello'],
    [`${prefix} [DEBUG] secrets.hello.hello_72db2dc4.hello.${binary}_v0.2.0: [WARN] old style`, 'plugin', 'warn', 'old style'],
    [`${prefix} [DEBUG] secrets.hello.hello_72db2dc4.hello.${binary}-other: not ours`, 'vault', 'debug', 'not ours'],
    [`${prefix} [DEBUG] secrets.hello.hello_72db2dc4.hello.${binary}: \tmain.main()`, 'plugin', 'debug', '\tmain.main()'],
    [`${prefix} [INFO]  proxy environment: http_proxy=""`, 'vault', 'info', 'proxy environment: http_proxy=""'],
  ])('%s', (raw, source, level, text) => {
    expect(createLogReader(binary)(raw)).toMatchObject({source, level, text})
  })

  test('a multi-line value belongs to its entry, and is shown with it', () => {
    const read = createLogReader(binary)
    read(`${prefix} [ERROR] secrets.hello.hello_72db2dc4.hello.${binary}: failed: timestamp=${prefix}`)
    expect(read('  | second line')).toMatchObject({source: 'plugin', level: 'error', continuation: true})
    read(`${prefix} [INFO]  core: sealed`)
    expect(read('  | more')).toMatchObject({source: 'vault', continuation: true})
  })

  test('formatted with the time and level', () => {
    const read = createLogReader(binary)
    const plain = (line: LogLine) => stripColour(formatLogLine(line))
    expect(plain(read(`${prefix} [WARN]  x.${binary}: careful: n=1 timestamp=${prefix}`))).toBe('14:40:00.123 WARN  careful: n=1')
    expect(plain(read(`${prefix} [DEBUG] x.${binary}: panic: boom`))).toBe('14:40:00.123 STDERR panic: boom')
    expect(plain(read(`${prefix} [INFO]  core: sealed`))).toBe('14:40:00.123 INFO  vault core: sealed')
  })

  test('the dev server logs at debug at least, so a panic is never filtered out by Vault', () => {
    expect(serverLogLevel('info')).toBe('debug')
    expect(serverLogLevel('error')).toBe('debug')
    expect(serverLogLevel('trace')).toBe('trace')
  })
})

describe('following a log file', () => {
  const wait = async (check: () => boolean) => {
    const deadline = Date.now() + 5000
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out')
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  test('lines as they are written, a partial line only once whole, and from the top after a truncation', async () => {
    const file = join(tempDir(), 'vault.log')
    writeFileSync(file, 'old line\n')
    const seen: string[] = []
    const follower = followFile(file, {from: 9, follow: true, onLine: (line) => seen.push(line), intervalMs: 20})
    appendFileSync(file, 'first\nsec')
    await wait(() => seen.length === 1)
    appendFileSync(file, 'ond\n')
    await wait(() => seen.length === 2)
    // A dev server started again truncates its log and writes from the beginning.
    truncateSync(file, 0)
    await follower.flush()
    appendFileSync(file, 'new server\n')
    await wait(() => seen.length === 3)
    await follower.close()
    expect(seen).toEqual(['first', 'second', 'new server'])
  })

  test('flush reads what was written before it, without waiting for the next poll', async () => {
    const file = join(tempDir(), 'vault.log')
    writeFileSync(file, '')
    const seen: string[] = []
    const follower = followFile(file, {from: 0, follow: true, onLine: (line) => seen.push(line), intervalMs: 60_000})
    await new Promise((r) => setTimeout(r, 50))
    appendFileSync(file, 'now\n')
    await follower.flush()
    expect(seen).toEqual(['now'])
    await follower.close()
  })

  test('without follow: the whole file once, formatted and filtered', async () => {
    const file = join(tempDir(), 'vault.log')
    writeFileSync(file, `${CAPTURED.join('\n')}\n`)
    const printed: string[] = []
    await followPluginLogs({file, binaryName: 'vault-plugin-secrets-hello', level: 'info', vaultLogs: false, from: 0, follow: false, print: (text) => printed.push(text)}).done
    printed.splice(0, printed.length, ...printed.map(stripColour))
    expect(printed.some((text) => /INFO {2}hello requested: name=logprobe$/.test(text))).toBe(true)
    expect(printed.some((text) => /STDERR panic: boom from the hello handler$/.test(text))).toBe(true)
    expect(printed.some((text) => / vault /.test(text))).toBe(false)
  })
})
