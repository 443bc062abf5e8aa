import {realpath} from 'node:fs/promises'

import {splitBinaryName} from '../project/plugin-types.js'
import type {Kind} from '../templates/kinds.js'
import type {RenderedFile} from '../templates/render.js'
import {FIRST_COMMIT_MESSAGE} from './git.js'
import {git, readTree, repositoryRoot} from './git-base.js'
import {type Origin, treeId, vaultkitVersion} from './origin.js'

export type EarlierOrigin =
  | {found: true; origin: Origin; commit: string; files: RenderedFile[]; repository: string}
  | {found: false; why: string}

/**
 * The origin of a project an earlier vaultkit made, before `.vaultkit.json` recorded one. That vaultkit's
 * `plugin new` committed exactly what it rendered (after `go mod tidy`) as the repository's first commit:
 * the render of that very version of the kind, so it is the merge base a first `plugin upgrade` needs, and
 * the answers are read from its files. go.sum, which tidy wrote and no kind renders, is left out.
 */
export async function earlierOrigin(project: string, kind: Kind, plugin: {binary: string; module: string}): Promise<EarlierOrigin> {
  const root = await repositoryRoot(project)
  if (root === undefined) return {found: false, why: 'it is not in a git repository (made with --no-git?)'}
  if (root !== (await realpath(project))) return {found: false, why: `it is inside the repository at ${root}, where plugin new made no commit of its own`}
  const roots = await git(project, ['log', '--max-parents=0', '--format=%H %s', 'HEAD'])
  const commits = roots.stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, ...subject]) => subject.join(' ') === FIRST_COMMIT_MESSAGE)
    .map(([commit]) => commit!)
  if (commits.length === 0) return {found: false, why: `its history has no first commit "${FIRST_COMMIT_MESSAGE}" (squashed, or made with --no-git?)`}
  if (commits.length > 1) return {found: false, why: `its history has ${commits.length} first commits "${FIRST_COMMIT_MESSAGE}" (merged repositories?), so which one made it cannot be told`}
  const commit = commits[0]!
  const tree = await readTree(project, commit)
  if (tree === undefined) return {found: false, why: `git cannot read its first commit ${commit.slice(0, 12)}`}
  const files = [...tree.values()].filter((file) => file.path !== 'go.sum')
  const text = (path: string) => tree.get(path)?.contents.toString('utf8') ?? ''
  const module = /^module\s+(\S+)/m.exec(text('go.mod'))?.[1]
  const version = /Version\s*=\s*"([^"]+)"/.exec(text('version/version.go'))?.[1]
  // The README's first paragraph under its title, as every kind renders it.
  const description = /^# .*\n\n(.+)\n/.exec(text('README.md'))?.[1]
  const name = splitBinaryName(plugin.binary)?.name
  if (!module || !version || !description || !name || !tree.has(`cmd/${plugin.binary}/main.go`)) {
    return {found: false, why: `its first commit ${commit.slice(0, 12)} is not in vaultkit's layout for ${plugin.binary} (go.mod, cmd/${plugin.binary}, version/version.go, README.md)`}
  }
  if (module !== plugin.module) return {found: false, why: `its first commit ${commit.slice(0, 12)} is of module ${module}, not ${plugin.module}: the module was renamed since, and the render cannot be made again under the new name`}
  const origin: Origin = {
    vaultkit: vaultkitVersion(),
    // The kind as it was then had no version of its own.
    kind: {name: kind.manifest.name, builtin: true},
    answers: {name, module, version, description},
    base: treeId(files),
  }
  return {found: true, origin, commit, files, repository: root}
}
