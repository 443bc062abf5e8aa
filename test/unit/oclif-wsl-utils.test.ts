import * as wslUtils from 'wsl-utils'
import {describe, expect, it} from 'vitest'
import * as light from '../../src/lib/cli/oclif-wsl-utils.js'

// The bundle hands oclif this module instead of wsl-utils (the build checks it exports every name oclif
// reads; test/unit/start-up-build.test.ts). Its PowerShell path is wsl-utils' own, loaded on demand.
describe('the wsl-utils oclif gets', () => {
  it('gives the same PowerShell path, loading wsl-utils only then', async () => {
    expect(await light.powerShellPath()).toBe(await wslUtils.powerShellPath())
  })
})
