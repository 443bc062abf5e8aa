/**
 * The objects of a stream of JSON objects written one after another, as `go list -json` and
 * `govulncheck -format json` print them: found by tracking brace depth outside strings.
 */
export function jsonValues(stream: string): unknown[] {
  const values: unknown[] = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < stream.length; i++) {
    const c = stream[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{') {
      if (depth++ === 0) start = i
    } else if (c === '}' && --depth === 0) values.push(JSON.parse(stream.slice(start, i + 1)))
  }
  return values
}
