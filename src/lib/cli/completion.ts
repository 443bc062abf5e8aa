// Shell completion scripts for bash, zsh and fish, generated from oclif's command list: commands, their
// flags, and the values that are known (a flag's options, the kinds `plugin new --type` renders). The
// scripts are static, so pressing Tab never starts Node.

export type Shell = 'bash' | 'zsh' | 'fish'
export const SHELLS: Shell[] = ['bash', 'zsh', 'fish']

export interface CompletionFlag {
  name: string
  char?: string
  summary?: string
  /** Takes a value; `values` lists the known ones, `files` completes paths. */
  takesValue: boolean
  values?: string[]
  files?: boolean
  /** A boolean flag with a --no- form. */
  allowNo?: boolean
}

export interface CompletionCommand {
  /** Words as typed: "plugin new". */
  id: string
  summary?: string
  flags: CompletionFlag[]
  /** Values of the first argument, when they are known. */
  argValues?: string[]
}

/** Every command path and topic, each with the words that may follow it. */
function tree(commands: CompletionCommand[]): Map<string, Set<string>> {
  const next = new Map<string, Set<string>>([['', new Set()]])
  for (const command of commands) {
    const words = command.id.split(' ')
    for (let i = 0; i < words.length; i++) {
      const parent = words.slice(0, i).join(' ')
      if (!next.has(parent)) next.set(parent, new Set())
      next.get(parent)!.add(words[i]!)
    }
  }
  return next
}

const flagWords = (flag: CompletionFlag) => [`--${flag.name}`, ...(flag.allowNo ? [`--no-${flag.name}`] : []), ...(flag.char ? [`-${flag.char}`] : [])]

/**
 * Shell functions both bash and zsh read: `_vaultkit_next PATH` (the words that may follow a command
 * path), `_vaultkit_flags PATH`, and `_vaultkit_values PATH FLAG`, which prints the flag's known values,
 * `:files` for a path, `:any` for a value nobody can guess, and nothing for a flag that takes none.
 */
function helpers(bin: string, commands: CompletionCommand[]): string {
  const next = tree(commands)
  const lines = [`_${bin}_next() {`, '  case "$1" in']
  for (const [path, words] of next) lines.push(`    "${path}") echo "${[...words].sort().join(' ')}" ;;`)
  for (const command of commands.filter((c) => c.argValues)) lines.push(`    "${command.id}") echo "${command.argValues!.join(' ')}" ;;`)
  lines.push('  esac', '}', '', `_${bin}_flags() {`, '  case "$1" in')
  for (const command of commands) lines.push(`    "${command.id}") echo "${command.flags.flatMap(flagWords).join(' ')}" ;;`)
  lines.push('  esac', '}', '', `_${bin}_values() {`, '  case "$1 $2" in')
  for (const command of commands) {
    for (const flag of command.flags.filter((f) => f.takesValue)) {
      const value = flag.values?.join(' ') ?? (flag.files ? ':files' : ':any')
      const patterns = [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])].map((word) => `"${command.id} ${word}"`)
      lines.push(`    ${patterns.join('|')}) echo "${value}" ;;`)
    }
  }
  lines.push('  esac', '}')
  return lines.join('\n')
}

/**
 * The driver both shells share, given the words before the cursor: the command path is the longest run of
 * words that `_next` knows; then a flag's value, a flag, or the next word.
 */
function bash(bin: string, commands: CompletionCommand[]): string {
  return `# ${bin} completion for bash: add to ~/.bashrc
#   source <(${bin} completion bash)
${helpers(bin, commands)}

_${bin}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmdpath="" word i
  # "--type=se": bash splits at "=", so the flag is two words back.
  if [[ $cur == "=" ]]; then cur=""; elif [[ $prev == "=" ]]; then prev=\${COMP_WORDS[COMP_CWORD-2]}; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ " $(_${bin}_next "$cmdpath") " == *" $word "* && $word != -* ]] && cmdpath="\${cmdpath:+$cmdpath }$word"
  done
  local values
  values=$(_${bin}_values "$cmdpath" "\${prev%%=*}")
  if [[ $prev == -* && -n $values ]]; then
    case $values in
      :files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
      :any) COMPREPLY=() ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")) ;;
    esac
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_${bin}_flags "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_${bin}_next "$cmdpath")" -- "$cur"))
  fi
}
complete -F _${bin} ${bin}
`
}

function zsh(bin: string, commands: CompletionCommand[]): string {
  return `#compdef ${bin}
# ${bin} completion for zsh: add to ~/.zshrc, after compinit
#   source <(${bin} completion zsh)
${helpers(bin, commands)}

_${bin}() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmdpath="" word i
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    [[ " $(_${bin}_next "$cmdpath") " == *" $word "* && $word != -* ]] && cmdpath="\${cmdpath:+$cmdpath }$word"
  done
  local values=$(_${bin}_values "$cmdpath" "$prev") list
  if [[ $prev == -* && -n $values ]]; then
    case $values in
      :files) _files ;;
      :any) ;;
      *) compadd -- \${=values} ;;
    esac
  elif [[ $cur == -* ]]; then
    list=$(_${bin}_flags "$cmdpath")
    compadd -- \${=list}
  else
    list=$(_${bin}_next "$cmdpath")
    compadd -- \${=list}
  fi
}
compdef _${bin} ${bin}
`
}

const fishQuote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

function fish(bin: string, commands: CompletionCommand[]): string {
  const next = tree(commands)
  const byId = new Map(commands.map((c) => [c.id, c]))
  const lines = [
    `# ${bin} completion for fish: save as ~/.config/fish/completions/${bin}.fish`,
    `#   ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
    '',
    '# Whether the command path typed so far (the words that are neither flags nor their values) is $argv[1].',
    `function __${bin}_at`,
    '    set -l tokens (commandline -opc)',
    '    set -l path ""',
    '    for token in $tokens[2..-1]',
    `        if contains -- $token (__${bin}_next "$path")`,
    '            set path (string trim -- "$path $token")',
    '        end',
    '    end',
    '    test "$path" = "$argv[1]"',
    'end',
    '',
    `function __${bin}_next`,
    '    switch "$argv[1]"',
  ]
  for (const [path, words] of next) lines.push(`        case ${fishQuote(path)}`, `            printf '%s\\n' ${[...words].sort().join(' ')}`)
  lines.push('    end', 'end', '')
  for (const [path, words] of next) {
    for (const word of [...words].sort()) {
      const id = path ? `${path} ${word}` : word
      const summary = byId.get(id)?.summary ?? (next.has(id) ? `${[...next.get(id)!].sort().join(', ')}` : '')
      lines.push(`complete -c ${bin} -n ${fishQuote(`__${bin}_at "${path}"`)} -a ${word} -d ${fishQuote(summary)}`)
    }
  }
  for (const command of commands) {
    const when = `-n ${fishQuote(`__${bin}_at "${command.id}"`)}`
    if (command.argValues) lines.push(`complete -c ${bin} ${when} -a ${fishQuote(command.argValues.join(' '))}`)
    for (const flag of command.flags) {
      const parts = [`complete -c ${bin}`, when, `-l ${flag.name}`]
      if (flag.char) parts.push(`-s ${flag.char}`)
      if (flag.takesValue) parts.push(flag.files ? '-r -F' : '-x')
      if (flag.values) parts.push(`-a ${fishQuote(flag.values.join(' '))}`)
      if (flag.summary) parts.push(`-d ${fishQuote(flag.summary)}`)
      lines.push(parts.join(' '))
      if (flag.allowNo) lines.push(`complete -c ${bin} ${when} -l no-${flag.name}`)
    }
  }
  return `${lines.join('\n')}\n`
}

export function completionScript(shell: Shell, bin: string, commands: CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => (a.id < b.id ? -1 : 1))
  return {bash, zsh, fish}[shell](bin, sorted)
}

/** Flags whose value is a file or folder. */
const PATH_FLAGS = new Set(['project', 'dir', 'binary', 'template', 'answers', 'vault-bin', 'command'])

interface OclifFlag {
  type: 'boolean' | 'option'
  char?: string
  summary?: string
  description?: string
  hidden?: boolean
  options?: readonly string[]
  allowNo?: boolean
}

interface OclifCommand {
  id: string
  summary?: string
  hidden?: boolean
  flags: Record<string, OclifFlag>
}

/** oclif's commands as completion sees them; `kinds` are the values of `plugin new --type` and `template new --from`. */
export function completionCommands(commands: OclifCommand[], kinds: string[]): CompletionCommand[] {
  return commands
    .filter((c) => !c.hidden)
    .map((c) => {
      const id = c.id.replaceAll(':', ' ')
      const flags = Object.entries(c.flags)
        .filter(([, f]) => !f.hidden)
        .map(([name, f]): CompletionFlag => {
          const known = (id === 'plugin new' && name === 'type') || (id === 'template new' && name === 'from') ? kinds : f.options
          return {
            name,
            char: f.char,
            summary: f.summary ?? f.description?.split('\n')[0],
            takesValue: f.type === 'option',
            values: known ? [...known] : undefined,
            files: f.type === 'option' && !known && PATH_FLAGS.has(name),
            allowNo: f.type === 'boolean' && f.allowNo,
          }
        })
      return {id, summary: c.summary, flags, argValues: id === 'completion' ? SHELLS : undefined}
    })
}
