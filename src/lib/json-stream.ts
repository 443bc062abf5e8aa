/**
 * The objects of a stream of JSON objects written one after another, as `go list -json` and
 * `govulncheck -format json` print them.
 */
export function jsonValues(stream: string): unknown[] {
  // Both indent nested values, so an object that starts a line starts a top-level value: split there and
  // parse each part, which is several times faster than a scan of every character (govulncheck's binary
  // mode prints thousands of findings). Anything else is scanned.
  try {
    return stream.split(/\n(?=\{)/).filter((part) => part.trim()).map((part) => JSON.parse(part))
  } catch {
    return scannedValues(stream)
  }
}

/** The same, found by tracking brace depth outside strings: any layout. */
function scannedValues(stream: string): unknown[] {
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
