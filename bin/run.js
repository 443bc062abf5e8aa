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
// oclif is told where vaultkit is and given its package.json, read here in one call, rather than searching
// for it; and vaultkit installs no oclif plugins, so no user's plugin list is looked for either.
const root = process.getBuiltinModule('node:url').fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(process.getBuiltinModule('node:fs').readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
await execute({loadOptions: {root, pjson, userPlugins: false, devPlugins: false}})
