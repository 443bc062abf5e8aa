import {chmodSync, cpSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'

/** Real plugin repositories, taken from the Go module proxy at pinned versions (see VAULT.md). */
export const EXISTING_PLUGINS = {
  kv: {module: 'github.com/hashicorp/vault-plugin-secrets-kv', version: 'v0.25.0'},
  redis: {module: 'github.com/hashicorp/vault-plugin-database-redis', version: 'v0.7.0'},
} as const

export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Plugin Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Plugin Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
}

/**
 * A stand-in for `git clone` of a plugin at a release: the module's source from the Go module cache
 * (downloaded once), copied into a fresh git repository with one commit, tagged with the release's version.
 */
export async function cloneOfModule(plugin: {module: string; version: string}, parent = mkdtempSync(join(tmpdir(), 'vaultkit-existing-'))): Promise<string> {
  const download = await execa('go', ['mod', 'download', '-json', `${plugin.module}@${plugin.version}`], {env: {GOFLAGS: ''}, reject: false})
  if (download.exitCode !== 0) throw new Error(`${plugin.module}@${plugin.version} could not be downloaded:\n${download.stdout}${download.stderr}`)
  const dir = join(parent, plugin.module.split('/').at(-1)!)
  cpSync((JSON.parse(download.stdout) as {Dir: string}).Dir, dir, {recursive: true})
  chmodSync(dir, 0o755)
  await execa('chmod', ['-R', 'u+w', dir])
  const git = (...args: string[]) => execa('git', args, {cwd: dir, env: GIT_IDENTITY})
  await git('init', '--quiet', '--initial-branch=main')
  await git('add', '--all')
  await git('commit', '--quiet', '--message', `${plugin.module} ${plugin.version}`)
  await git('tag', plugin.version)
  return dir
}
