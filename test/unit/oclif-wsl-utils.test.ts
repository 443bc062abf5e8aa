import * as wslUtils from 'wsl-utils'
import {describe, expect, it} from 'vitest'
import * as light from '../../src/lib/oclif-wsl-utils.js'

// The bundle hands oclif this module instead of wsl-utils: what oclif reads from it must be the same.
describe('the wsl-utils oclif gets', () => {
  it('answers isWsl as wsl-utils does', () => {
    expect(light.isWsl).toBe(wslUtils.isWsl)
  })

  it('gives the same PowerShell path, loading wsl-utils only then', async () => {
    expect(await light.powerShellPath()).toBe(await wslUtils.powerShellPath())
  })
})
