import {describe, expect, test} from 'vitest'

import {databaseFor, describeTier} from '../../src/lib/testing/plugin-test.js'

describe('plugin test', () => {
  test("the database kind's connection comes from PG_URL when no --connection-url is given", () => {
    expect(databaseFor({}, 'postgres://admin:p%40ss@127.0.0.1:5432/postgres?sslmode=disable')).toEqual({
      connectionUrl: 'postgres://{{username}}:{{password}}@127.0.0.1:5432/postgres?sslmode=disable',
      username: 'admin',
      password: 'p@ss',
    })
    const flags = {connectionUrl: 'postgres://{{username}}:{{password}}@db:5432/app', username: 'vault', password: 'x'}
    expect(databaseFor(flags, 'postgres://admin:pass@127.0.0.1/postgres')).toBe(flags)
    expect(databaseFor(undefined, undefined)).toBeUndefined()
    expect(() => databaseFor({}, 'not a url')).toThrow('PG_URL is not a URL')
  })

  test('a tier is one line: counts, time, and what failed', () => {
    const tier = {tier: 'acceptance' as const, passed: 1, failed: 1, skipped: 0, seconds: 1.5, failures: ['TestAcceptance_CredsLease'], events: []}
    expect(describeTier(tier)).toBe('acceptance tier: 1 passed, 1 failed, 0 skipped in 1.5 s: TestAcceptance_CredsLease')
  })
})
