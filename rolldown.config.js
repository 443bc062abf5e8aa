import {readdirSync} from 'node:fs'
import {defineConfig} from 'rolldown'
import {builtinsWithoutFacades, childPackagesMap, childProcessOnDemand, lightWslUtils, noCollatorAtStart} from './scripts/rolldown-start-up.js'

// One entry per command (so oclif's manifest can load just the one that runs) plus the runner; what they
// share goes into chunks beside them. A few large files start faster than hundreds of small ones.
const commands = readdirSync('src/commands', {recursive: true})
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''))

export default defineConfig({
  input: Object.fromEntries([
    ['main', 'src/main.ts'],
    ...commands.map((command) => [`commands/${command}`, `src/commands/${command}.ts`]),
  ]),
  platform: 'node',
  plugins: [lightWslUtils(), noCollatorAtStart(), childProcessOnDemand(), builtinsWithoutFacades(), childPackagesMap('build/chunk-packages.json')],
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // JSDoc of the bundled libraries is a third of their size, and nobody reads it in an installed package.
    comments: {legal: true, annotation: false, jsdoc: false},
    // Whitespace only: no renaming or rewriting, a sixth off the installed size, and less for Node to read.
    minify: {compress: false, mangle: false, codegen: {removeWhitespace: true}},
  },
})
