import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {readDatabaseState} from '../../src/lib/audit/govulncheck.js'
import {warmDatabase} from '../../src/lib/audit/vulndb.js'
import {freePort} from '../helpers.js'

// The warm copy of a folder of OSV files: the index govulncheck reads instead of parsing every file.
const root = mkdtempSync(join(tmpdir(), 'vaultkit-vulndb-'))
const osv = join(root, 'osv')
const cache = join(root, 'cache')
let saved: string | undefined

const entry = (id: string, modified: string, ...modules: string[]) =>
  writeFileSync(join(osv, `${id}.json`), JSON.stringify({id, modified, affected: modules.map((name) => ({package: {name, ecosystem: 'Go'}, ranges: [{type: 'SEMVER', events: [{introduced: '0'}, {fixed: '1.2.3'}]}]}))}))

beforeAll(() => {
  saved = process.env.XDG_CACHE_HOME
  process.env.XDG_CACHE_HOME = cache
  mkdirSync(osv)
  entry('GO-2026-0002', '2026-02-01T00:00:00Z', 'example.com/b', 'stdlib')
  entry('GO-2026-0001', '2026-01-01T00:00:00Z', 'example.com/b')
  // One entry that names a module twice (two ranges) is listed once for it.
  entry('GO-2026-0003', '2026-03-01T00:00:00Z', 'example.com/a', 'example.com/a')
})

afterAll(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME
  else process.env.XDG_CACHE_HOME = saved
  rmSync(root, {recursive: true, force: true})
})

describe('warmDatabase of a folder of OSV files', () => {
  test('writes the index govulncheck reads (every module, each entry once, the newest time), its entries the folder itself', async () => {
    const warm = await warmDatabase(pathToFileURL(osv).href, 'state-1')
    expect(warm).toMatch(/^file:\/\//)
    const dir = fileURLToPath(warm!)
    expect(dir.startsWith(join(cache, 'vaultkit', 'vulndb'))).toBe(true)
    expect(JSON.parse(readFileSync(join(dir, 'index', 'db.json'), 'utf8'))).toEqual({modified: '2026-03-01T00:00:00Z'})
    expect(JSON.parse(readFileSync(join(dir, 'index', 'modules.json'), 'utf8'))).toEqual([
      {path: 'example.com/a', vulns: [{id: 'GO-2026-0003', modified: '2026-03-01T00:00:00Z'}]},
      {path: 'example.com/b', vulns: [{id: 'GO-2026-0001', modified: '2026-01-01T00:00:00Z'}, {id: 'GO-2026-0002', modified: '2026-02-01T00:00:00Z'}]},
      {path: 'stdlib', vulns: [{id: 'GO-2026-0002', modified: '2026-02-01T00:00:00Z'}]},
    ])
    expect(readlinkSync(join(dir, 'ID'))).toBe(osv)
    expect(readdirSync(join(dir, 'ID'))).toContain('GO-2026-0001.json')
  })

  test('the same state is the same copy; a new state a new one; an old one goes once no run can be reading it, as does what an interrupted run left', async () => {
    const first = await warmDatabase(pathToFileURL(osv).href, 'state-1')
    writeFileSync(join(fileURLToPath(first!), 'index', 'marker'), '')
    expect(await warmDatabase(pathToFileURL(osv).href, 'state-1')).toBe(first)
    expect(existsSync(join(fileURLToPath(first!), 'index', 'marker'))).toBe(true)
    entry('GO-2026-0004', '2026-04-01T00:00:00Z', 'example.com/c')
    const second = await warmDatabase(pathToFileURL(osv).href, 'state-2')
    expect(second).not.toBe(first)
    expect(readFileSync(join(fileURLToPath(second!), 'index', 'modules.json'), 'utf8')).toContain('example.com/c')
    // A scan of another run may still read the state before: it stays for minutes.
    expect(existsSync(fileURLToPath(first!))).toBe(true)
    const home = join(fileURLToPath(first!), '..')
    const hourAgo = new Date(Date.now() - 3_600_000)
    mkdirSync(join(home, '.staging-interrupted'))
    utimesSync(join(home, '.staging-interrupted'), hourAgo, hourAgo)
    utimesSync(fileURLToPath(first!), hourAgo, hourAgo)
    entry('GO-2026-0005', '2026-05-01T00:00:00Z', 'example.com/d')
    const third = await warmDatabase(pathToFileURL(osv).href, 'state-3')
    expect(existsSync(fileURLToPath(first!))).toBe(false)
    expect(existsSync(join(home, '.staging-interrupted'))).toBe(false)
    expect(existsSync(fileURLToPath(second!))).toBe(true)
    expect(existsSync(fileURLToPath(third!))).toBe(true)
  })

  test('a cache that cannot be written: the database as given', async () => {
    const file = join(root, 'not-a-folder')
    writeFileSync(file, '')
    process.env.XDG_CACHE_HOME = file
    try {
      expect(await warmDatabase(pathToFileURL(osv).href, 'state-9')).toBe(pathToFileURL(osv).href)
    } finally {
      process.env.XDG_CACHE_HOME = cache
    }
  })

  test('no state to key a copy on, a folder with an index already, or one that cannot be indexed: the database as given', async () => {
    expect(await warmDatabase(pathToFileURL(osv).href, undefined)).toBe(pathToFileURL(osv).href)
    const indexed = join(root, 'indexed')
    mkdirSync(join(indexed, 'index'), {recursive: true})
    writeFileSync(join(indexed, 'index', 'modules.json'), '[]')
    expect(await warmDatabase(pathToFileURL(indexed).href, 'state-1')).toBe(pathToFileURL(indexed).href)
    const broken = join(root, 'broken')
    mkdirSync(broken)
    writeFileSync(join(broken, 'GO-2026-0001.json'), '{not json')
    expect(await warmDatabase(pathToFileURL(broken).href, 'state-1')).toBe(pathToFileURL(broken).href)
    // Nothing half-made is left beside the copies.
    for (const home of readdirSync(join(cache, 'vaultkit', 'vulndb'))) expect(readdirSync(join(cache, 'vaultkit', 'vulndb', home)).filter((f) => f.startsWith('.'))).toEqual([])
  })
})

describe('the state of a folder of OSV files', () => {
  test('an entry edited in place, its name kept, is a new state; the same files the same state', async () => {
    const before = (await readDatabaseState(pathToFileURL(osv).href)).stamp
    expect(before).toMatch(/^[0-9a-f]{64}$/)
    expect((await readDatabaseState(pathToFileURL(osv).href)).stamp).toBe(before)
    const file = join(osv, 'GO-2026-0001.json')
    const later = new Date(Date.now() + 5000)
    writeFileSync(file, readFileSync(file, 'utf8').replace('example.com/b', 'example.com/bb'))
    utimesSync(file, later, later)
    expect((await readDatabaseState(pathToFileURL(osv).href)).stamp).not.toBe(before)
    expect(await readDatabaseState(pathToFileURL(join(root, 'missing')).href)).toEqual({})
  })
})

describe('the state of a served database', () => {
  test('the modified time of its index; a server that fails has none; a port where nothing listens is unreachable, unless a proxy may reach it', async () => {
    let status = 200
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/index/db.json' ? status : 404, {'content-type': 'application/json'})
      response.end(JSON.stringify({modified: '2026-12-01T00:00:00Z'}))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const served = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect(await readDatabaseState(served, {})).toEqual({stamp: `${served} 2026-12-01T00:00:00Z`})
      status = 500
      expect(await readDatabaseState(served, {})).toEqual({})
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    const closed = `http://127.0.0.1:${await freePort()}`
    expect(await readDatabaseState(closed, {})).toEqual({unreachable: `${new URL(closed).host} is not reachable (ECONNREFUSED)`})
    expect(await readDatabaseState(closed, {HTTPS_PROXY: 'http://proxy.example:3128'})).toEqual({})
  })
})
