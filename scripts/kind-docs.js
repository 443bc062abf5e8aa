// Writes templates/<kind>/files/docs/api.md.hbs of the built-in kinds: a project of the kind
// is rendered under a placeholder name, `plugin docs` reads it from a real Vault, and the names go back to
// template values (the docs' own {{...}}, a database URL's, escaped). Run after changing a kind's paths; test/e2e/plugin-docs.test.ts fails until then.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const repo = join(import.meta.dirname, '..')
const vaultkit = (...args) => execFileSync(process.execPath, [join(repo, 'bin/run.js'), ...args], {stdio: ['ignore', 'ignore', 'inherit']})
const PLACEHOLDER = 'zqx'

for (const [kind, prefix] of [['secrets', 'vault-plugin-secrets'], ['auth', 'vault-plugin-auth'], ['database', 'vault-plugin-database']]) {
  const parent = mkdtempSync(join(tmpdir(), 'vaultkit-kind-docs-'))
  try {
    const project = join(parent, kind)
    vaultkit('plugin', 'new', PLACEHOLDER, '--type', kind, '--yes', '--no-git', '--dir', project)
    vaultkit('plugin', 'docs', '--project', project)
    const text = readFileSync(join(project, 'docs/api.md'), 'utf8').replaceAll('{{', '\\{{').replaceAll(`${prefix}-${PLACEHOLDER}`, '{{binaryName}}').replaceAll(PLACEHOLDER, '{{name}}')
    writeFileSync(join(repo, 'templates', kind, 'files/docs/api.md.hbs'), text)
    console.log(`templates/${kind}/files/docs/api.md.hbs`)
  } finally {
    rmSync(parent, {recursive: true, force: true})
  }
}
