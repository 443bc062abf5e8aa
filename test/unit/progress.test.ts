import {describe, expect, it} from 'vitest'

import {createProgress} from '../../src/lib/cli/progress.js'
import {GoBuildProgress} from '../../src/lib/vault/install/build-progress.js'

function recorder(isTTY: boolean) {
  const written: string[] = []
  let clock = 0
  return {written, tick: (ms: number) => (clock += ms), stream: {isTTY, write: (text: string) => written.push(text)}, now: () => clock}
}

describe('progress', () => {
  it('redraws one line in a terminal, at most ten times a second, and clears it when done', () => {
    const r = recorder(true)
    const progress = createProgress(r.stream, {now: r.now})
    progress.update('1 MB')
    r.tick(50)
    progress.update('2 MB')
    r.tick(60)
    progress.update('3 MB')
    progress.done('done')
    expect(r.written).toEqual(['\r\x1b[K1 MB', '\r\x1b[K3 MB', '\r\x1b[K', 'done\n'])
  })

  it('without a terminal, writes a line every five seconds and nothing for work that ends sooner', () => {
    const r = recorder(false)
    const progress = createProgress(r.stream, {now: r.now})
    for (let s = 0; s <= 12; s++, r.tick(1000)) progress.update(`${s} s`)
    progress.done('done')
    expect(r.written).toEqual(['5 s\n', '10 s\n', 'done\n'])
  })
})

describe('the count of packages a go build compiled', () => {
  it('estimates what is left from the pace so far, once a twentieth is done', () => {
    const packages = Array.from({length: 100}, (_, i) => `p${i}`)
    const progress = new GoBuildProgress(packages, 0)
    for (const name of packages.slice(0, 4)) progress.line(name)
    expect(progress.status(40_000)).toBe('4/100 packages, 40s')
    for (const name of packages.slice(4, 25)) progress.line(`${name}\n`)
    expect(progress.status(100_000)).toBe('25/100 packages, 1m40s, about 5m00s left')
  })
})
