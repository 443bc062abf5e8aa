import {expect, test} from 'vitest'

import {debouncedRounds} from '../../src/lib/dev/dev.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('a burst of saves within the settle time makes one round, with the last reason', async () => {
  const reasons: string[] = []
  const rounds = debouncedRounds(async (reason) => void reasons.push(reason), 30)
  rounds.request('changed a.go')
  await sleep(10)
  rounds.request('changed b.go')
  await sleep(10)
  rounds.request('changed c.go')
  await sleep(80)
  await rounds.settle()
  expect(reasons).toEqual(['changed c.go'])
})

test('saves during a round make exactly one more round once it ends, never two at once', async () => {
  const reasons: string[] = []
  let running = 0
  let overlapped = false
  let release: () => void = () => {}
  const rounds = debouncedRounds(async (reason) => {
    running++
    overlapped ||= running > 1
    reasons.push(reason)
    if (reasons.length === 1) await new Promise<void>((resolve) => (release = resolve))
    running--
  }, 10)
  rounds.request('first')
  await sleep(40)
  expect(reasons).toEqual(['first'])
  rounds.request('second')
  await sleep(20)
  rounds.request('third')
  await sleep(40)
  expect(reasons).toEqual(['first'])
  release()
  await sleep(60)
  await rounds.settle()
  expect(reasons).toEqual(['first', 'third'])
  expect(overlapped).toBe(false)
})

test('a round that throws rejects `failed` at once with its error', async () => {
  const bug = new TypeError('a bug in a round')
  const rounds = debouncedRounds(async () => {
    throw bug
  }, 5)
  rounds.request('changed a.go')
  await expect(Promise.race([rounds.failed, sleep(1000).then(() => 'still waiting')])).rejects.toBe(bug)
})

test('settle stops a scheduled round from starting', async () => {
  const reasons: string[] = []
  const rounds = debouncedRounds(async (reason) => void reasons.push(reason), 30)
  rounds.request('changed a.go')
  await rounds.settle()
  await sleep(60)
  expect(reasons).toEqual([])
})
