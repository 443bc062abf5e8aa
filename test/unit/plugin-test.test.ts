import {describe, expect, test} from 'vitest'

import {totals} from '../../src/lib/testing/coverage.js'
import {databaseFor, describeCoverage, describeTier} from '../../src/lib/testing/plugin-test.js'

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

  test("a profile's total counts each block's statements once, covered when any of its lines counted it", () => {
    // covdata textfmt of two tiers can list a block twice: covered in one is covered.
    const profile = [
      'mode: atomic',
      'example.com/p/backend.go:10.2,12.3 2 0',
      'example.com/p/backend.go:10.2,12.3 2 3',
      'example.com/p/backend.go:14.2,15.10 3 0',
      'example.com/p/cmd/p/main.go:5.13,8.2 1 1',
      '',
    ].join('\n')
    expect(totals(profile)).toEqual({statements: 6, covered: 3, percent: 50})
    expect(totals('mode: atomic\n')).toEqual({statements: 0, covered: 0, percent: 0})
    // A tier's figure over everything measured: the unit tier has no blocks of main.go at all.
    expect(totals('example.com/p/backend.go:10.2,12.3 2 1\n', profile)).toEqual({statements: 6, covered: 2, percent: 33.3})
  })

  test('the coverage line gives the total, each tier, and the command that opens the profile', () => {
    const tier = (covered: number) => ({statements: 3, covered, percent: Math.round((covered / 3) * 1000) / 10})
    const line = describeCoverage({...tier(2), profile: `${process.cwd()}/coverage.out`, unit: tier(1), acceptance: tier(1)})
    expect(line).toBe('coverage: 66.7% of statements (unit 33.3%, acceptance 33.3%); go tool cover -html=coverage.out')
  })
})
