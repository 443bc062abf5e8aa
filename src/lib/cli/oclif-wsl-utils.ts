// What oclif's bundle gets for `import('wsl-utils')` (see scripts/rolldown-start-up.js): the same isWsl,
// without loading child_process and PowerShell helpers at every start.
export {default as isWsl} from 'is-wsl'

// Only oclif's Windows shell detection asks for this; the real module is loaded then.
export async function powerShellPath(): Promise<string> {
  const wslUtils = await import('wsl-utils')
  return wslUtils.powerShellPath()
}
