#!/usr/bin/env node
// Checked before anything else is loaded, so an old Node gets one clear line instead of a syntax error.
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(
    `vaultkit needs Node.js 22 or newer (this is ${process.version}): install a current Node.js, then run vaultkit again.\n`,
  )
  process.exit(1)
}

// The bundle reaches Node's built-in modules through process.getBuiltinModule, which is quicker than an
// ES import of them (scripts/rolldown-start-up.js); Node 22.0 to 22.2 lack it, and require() does the same.
const nodeModule = process.getBuiltinModule?.('node:module') ?? (await import('node:module')).default
process.getBuiltinModule ??= nodeModule.createRequire(import.meta.url)

// Reuse V8's compiled code between runs: start-up is most of the time of a short command.
nodeModule.enableCompileCache?.()

const {execute} = await import('../dist/main.js')
// vaultkit installs no oclif plugins: skip looking for a user's plugin list at every start.
const root = process.getBuiltinModule('node:url').fileURLToPath(new URL('..', import.meta.url))
await execute({loadOptions: {root, userPlugins: false, devPlugins: false}})
