#!/usr/bin/env node
// Checked before anything else is loaded, so an old Node gets one clear line instead of a syntax error.
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(
    `vaultkit needs Node.js 22 or newer (this is ${process.version}): install a current Node.js, then run vaultkit again.\n`,
  )
  process.exit(1)
}

// Reuse V8's compiled code between runs: start-up is most of the time of a short command.
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()

const {execute} = await import('../dist/main.js')
await execute({dir: import.meta.url})
