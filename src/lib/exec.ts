import type {Options, Result} from 'execa'

type RunOptions = Pick<Options, 'cwd' | 'env' | 'timeout' | 'extendEnv' | 'input'>

/**
 * Every child process vaultkit runs goes through here: execa is loaded on first use (it is not needed to
 * start), output is captured interleaved as `all`, and a non-zero exit is a result, not a throw: callers
 * word their own failures.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<Result<{all: true; reject: false}>> {
  const execa = await loadExeca()
  return execa(file, args, {...options, all: true, reject: false})
}

/**
 * execa itself, loaded on first use, for the few callers that stream, cancel, read bytes or read megabytes
 * of stdout alone (long builds with progress, git's binary output, govulncheck's binary findings);
 * everything else goes through `run`. The one place execa is imported.
 */
export async function loadExeca(): Promise<typeof import('execa').execa> {
  return (await import('execa')).execa
}
