import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO, runCli} from '../helpers.js'

// The scripts `vaultkit completion` prints, loaded into real bash, zsh and fish, asked what completes a
// line. zsh offers completions only inside its completion widgets, so there compadd is a function that
// prints what it is given; bash and fish answer as they do at a prompt.
const scripts: Record<string, string> = {}
let cwd: string

afterAll(() => rmSync(cwd, {recursive: true, force: true}))

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'vaultkit-completion-'))
  // An external kind: completion offers it for --type alongside the built-in ones.
  const kinds = join(cwd, 'kinds')
  expect((await runCli(['template', 'new', 'acme', '--from', 'secrets', '--dir', join(kinds, 'acme')])).exitCode).toBe(0)
  mkdirSync(join(cwd, 'plugins-dir'))
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell], {env: {VAULTKIT_TEMPLATE_PATH: kinds}})
    expect(result.exitCode, result.stderr).toBe(0)
    scripts[shell] = join(cwd, `vaultkit.${shell}`)
    writeFileSync(scripts[shell]!, result.stdout)
  }
})

// The plugin types register takes, as its flag declares them.
const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8'))
/** The subcommands of a topic, as the manifest lists them: the script must offer exactly these. */
const subcommands = (topic: string) => Object.keys(manifest.commands).filter((id) => id.startsWith(`${topic}:`)).map((id) => id.slice(topic.length + 1)).sort()
const registerTypes = [...manifest.commands['plugin:register'].flags.type.options].sort() as string[]

async function complete(shell: string, line: string): Promise<string[]> {
  const words = line.split(' ')
  const array = words.map((w) => `'${w}'`).join(' ')
  const run = {
    bash: ['bash', ['--norc', '-c', `source ${scripts.bash}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _vaultkit; printf '%s\\n' "\${COMPREPLY[@]}"`]],
    zsh: ['zsh', ['-f', '-c', `compdef() { :; }; compadd() { shift; print -l -- "$@"; }; _files() { print -- :files; }; source ${scripts.zsh}; words=(${array}); CURRENT=${words.length}; _vaultkit`]],
    fish: ['fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C '${line}'`]],
  }[shell] as [string, string[]]
  const result = await execa(run[0], run[1], {cwd})
  expect(result.stderr).toBe('')
  return result.stdout
    .split('\n')
    .map((l) => l.split('\t')[0]!)
    .filter(Boolean)
    .sort()
}

describe.each(['bash', 'zsh', 'fish'])('completion in %s', (shell) => {
  it.each([
    ['vaultkit ', ['completion', 'doctor', 'plugin', 'server', 'template']],
    ['vaultkit plugin ', subcommands('plugin')],
    ['vaultkit server install --from ', ['release', 'source']],
    ['vaultkit completion ', ['bash', 'fish', 'zsh']],
    // Kinds, built-in and external, after an argument; plugin types for register.
    ['vaultkit plugin new hello --type ', ['acme', 'auth', 'database', 'secrets']],
    ['vaultkit plugin new -t ', ['acme', 'auth', 'database', 'secrets']],
    ['vaultkit plugin register --type ', registerTypes],
    ['vaultkit template new x --from ', ['acme', 'auth', 'database', 'secrets']],
    // A value nobody can guess: nothing, rather than the next flag.
    ['vaultkit plugin new --module ', []],
  ])('%s', async (line, expected) => {
    const got = await complete(shell, line)
    // fish filters by the word typed so far itself; bash and zsh scripts filter (zsh's compadd would).
    expect(got).toEqual(expected)
  })

  it('completes the flags of the command typed, the --no- forms included', async () => {
    const got = await complete(shell, 'vaultkit plugin new --')
    expect(got).toEqual(expect.arrayContaining(['--type', '--dir', '--no-tidy', '--no-git', '--yes', '--json']))
    expect(got).not.toContain('--show-token')
    expect(await complete(shell, 'vaultkit server status --')).toEqual(expect.arrayContaining(['--show-token', '--project']))
  })

  it('completes paths for a folder flag', async () => {
    const got = await complete(shell, 'vaultkit plugin new --dir ')
    expect(got.some((w) => w === ':files' || w.startsWith('plugins-dir'))).toBe(true)
  })
})

describe('completion in bash', () => {
  it('refuses a shell it has no script for, in one line', async () => {
    const result = await runCli(['completion', 'powershell'])
    expect(result.stderr).toBe('Error: Which shell? Give one of bash, zsh, fish: e.g. `vaultkit completion bash`')
    expect(result.exitCode).toBe(2)
  })

  it('completes a value after "=", and filters by the word typed', async () => {
    expect(await complete('bash', 'vaultkit plugin new --type = se')).toEqual(['secrets'])
    expect(await complete('bash', 'vaultkit server st')).toEqual(['start', 'status', 'stop'])
  })
})
