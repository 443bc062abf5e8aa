// What the benches share.

/** The median of some figures (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Each whole line a stream prints, with when it arrived (performance.now()), as they come. */
export function timedLines(stream) {
  const lines = []
  let partial = ''
  stream.on('data', (chunk) => {
    const at = performance.now()
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()
    for (const text of parts) lines.push({at, text})
  })
  return lines
}
