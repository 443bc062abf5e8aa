import {formatSeconds} from '../../cli/progress.js'

/**
 * Counts the packages `go build -v` names as it compiles them, out of what `go list -deps` says the build
 * needs. Packages already in Go's build cache are not named, so a warm build ends below the total.
 */
export class GoBuildProgress {
  private readonly compiled = new Set<string>()
  private readonly packages: Set<string>

  constructor(
    packages: Iterable<string>,
    private readonly started = performance.now(),
  ) {
    this.packages = new Set(packages)
  }

  /** One line of `go build -v` output: true when it names a package of this build (else it is a message). */
  line(text: string): boolean {
    const name = text.trim()
    if (!this.packages.has(name)) return false
    this.compiled.add(name)
    return true
  }

  get count(): number {
    return this.compiled.size
  }

  get total(): number {
    return this.packages.size
  }

  /** "412/1536 packages, 3m12s, about 8m left": the estimate assumes the rest compile at the pace so far. */
  status(now = performance.now()): string {
    const seconds = (now - this.started) / 1000
    const done = this.compiled.size
    const text = `${done}/${this.total} packages, ${formatSeconds(seconds)}`
    // Too early (the first packages are the small ones of the standard library) to say how long is left.
    if (done < this.total * 0.05 || done === 0) return text
    return `${text}, about ${formatSeconds((seconds * (this.total - done)) / done)} left`
  }
}
