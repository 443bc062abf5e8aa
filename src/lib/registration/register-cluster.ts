import {mkdtemp, realpath, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {buildSha256, sha256File} from '../project/build.js'
import {dropRecord, fileIdentity, renewRecord} from '../project/build-record.js'
import {sweepAbandoned} from '../abandoned.js'
import {UserError, errnoCode} from '../errors.js'
import type {PluginType} from '../project/plugin-types.js'
import {type RegisterResult, type Registration, projectPlacement, registerPlugin} from './register.js'
import type {ReleaseSignature} from './release-install.js'
import {isSameFile, linkOrCopy, stagingName, versionedName} from './versioned-file.js'
import {type VaultClient, isChecksumMismatch} from '../vault/client.js'
import {activeClusterClient, raftServers} from '../vault/cluster.js'
import {type NodeRole, settledRole} from '../vault/cluster-node.js'
import type {ClusterNode, ClusterState} from '../vault/cluster-state.js'

export interface NodeInstall {
  id: string
  role: NodeRole
  /** The versioned file in the node's plugin directory. */
  file: string
  /** linked: a hard link to the build (same disk, no copy); copied: a copy; present: that very file (a link) was there. */
  binary: 'linked' | 'copied' | 'present'
}

export interface ClusterRegisterResult extends RegisterResult {
  nodes: NodeInstall[]
  /** Nodes that were down: their binary is in place, and `vaultkit server start` brings them back. */
  down: string[]
}


/**
 * Register on a cluster vaultkit runs: the binary into every node's plugin directory under its versioned
 * name (staged, then renamed over the old file, so a running plugin's file is never written over: a
 * rebuild under the same version replaces it whole), then the catalog once through the active node (raft
 * replicates it), the mount enabled or tuned, and reloaded with scope=global. A node that cannot get the
 * binary stops everything before the catalog is touched, since a failover to it would break the mount.
 */
export async function registerOnCluster(state: ClusterState, registration: Registration): Promise<ClusterRegisterResult> {
  const client = await activeClusterClient(state)
  const roles = await Promise.all(state.nodes.map(settledRole))
  const {type, name, version, binary, sha256: known, cleanUp, signature} = await whatToInstall(state, registration)
  const projectDir = registration.from === 'project' ? registration.project.dir : undefined
  try {
    const {sha256, command, installs, identity} = binary
      ? await installEverywhere(state.nodes, {binary, version, sha256: known, projectDir})
      : await checkEverywhere(state.nodes, registration as Extract<Registration, {from: 'remote'}>)
    // Links change the build's ctime: its recorded sha256 is renewed (if the build is still the file whose
    // sha256 was taken), so the next register need not hash.
    if (projectDir && identity && installs.includes('linked')) await renewRecord(projectDir, binary!, sha256, identity)
    const {database, restart, env, catalogOnly} = registration
    const {path, options, databaseSettings, allowBuiltinName} = registration.from === 'project' ? projectPlacement(registration.project, registration) : registration
    const result = await registerPlugin(client, {from: 'remote', sha256, command, type, name, version, path, options, databaseSettings, database, restart, env, catalogOnly, reloadScope: 'global', allowBuiltinName}).catch(async (error: unknown) => {
      // The recorded sha256 was wrong (a build landed while it was taken): the next register reads the file.
      if (projectDir && isChecksumMismatch(error)) await dropRecord(projectDir)
      throw error
    })
    const nodes = state.nodes.map((node, i) => ({id: node.id, role: roles[i]!, file: join(node.pluginDir, command), binary: installs[i]!}))
    return {...result, ...(signature ? {signature} : {}), nodes, down: nodes.filter((node) => node.role === 'down').map((node) => node.id)}
  } finally {
    await cleanUp?.()
  }
}

interface ToInstall {
  type: PluginType
  name: string
  /** With the `v`; undefined: an unversioned plugin, installed under its own file name. */
  version?: string
  /** The local binary to put on every node (none for a remote registration); its file name without a version. */
  binary?: string
  /** The binary's, when already known (plugin dev): not read again. */
  sha256?: string
  cleanUp?: () => Promise<void>
  signature?: ReleaseSignature
}

async function whatToInstall(state: ClusterState, registration: Registration): Promise<ToInstall> {
  switch (registration.from) {
    case 'project': {
      const {project} = registration
      const binary = join(project.pluginDir, project.binaryName)
      const version = project.version === undefined ? undefined : `v${project.version}`
      return {type: project.pluginType, name: registration.name ?? project.name, version, binary, sha256: registration.sha256}
    }
    case 'release': {
      // Checked against SHA256SUMS once, extracted once beside the nodes' folders (same disk: linked, not copied).
      const root = dirname(state.nodes[0]!.dir)
      // Named with the pid: a register killed outright (SIGKILL, Ctrl-C) leaves tens of MB, swept by the next one.
      await sweepAbandoned(root, ['release'])
      const {checkRelease, extractRelease} = await import('./release-install.js')
      const release = await checkRelease(registration.dir, registration.trusted)
      const staging = await mkdtemp(join(root, `.release-${process.pid}-`))
      const cleanUp = () => rm(staging, {recursive: true, force: true})
      try {
        const binary = join(staging, release.binaryName)
        await extractRelease(release, binary)
        return {type: release.type, name: registration.name ?? release.name, version: release.version, binary, cleanUp, signature: release.signature}
      } catch (error) {
        await cleanUp()
        throw error
      }
    }
    case 'binary':
    case 'remote':
      if (!registration.version) throw new UserError('--plugin-version is missing', "on a cluster the binary's file name carries its version: pass the version it reports")
      return {type: registration.type, name: registration.name, version: registration.version, binary: registration.from === 'binary' ? registration.binary : undefined}
  }
}

/** `projectDir`: the binary is that project's build, whose sha256 may be recorded. */
export async function installEverywhere(nodes: ClusterNode[], options: {binary: string; version?: string; sha256?: string; projectDir?: string}) {
  const source = await realpath(options.binary).catch(() => {
    throw new UserError(`${options.binary} does not exist`, 'build it first with `vaultkit plugin build`')
  })
  const hashed = options.projectDir ? await buildSha256(options.projectDir, options.binary, options.sha256) : undefined
  // Taken before the file is read, so that what is linked can be told apart from a build landing meanwhile.
  const built = hashed?.identity ?? (await fileIdentity(source))
  const sha256 = hashed?.sha256 ?? options.sha256 ?? (await sha256File(source))
  const command = options.version === undefined ? basename(options.binary) : versionedName(basename(options.binary), options.version)
  const installs: NodeInstall['binary'][] = []
  const staged: Array<{node: string; partial: string; target: string}> = []
  const refused: string[] = []
  try {
    for (const node of nodes) {
      const target = join(node.pluginDir, command)
      if (await isSameFile(target, built)) {
        installs.push('present')
        continue
      }
      const partial = stagingName(target)
      try {
        installs.push(await linkOrCopy(source, partial))
        staged.push({node: node.id, partial, target})
      } catch (error) {
        refused.push(`${node.id} (${node.pluginDir}: ${errnoCode(error) ?? (error as Error).message})`)
      }
    }
    if (refused.length > 0) {
      throw new UserError(
        `The binary cannot be put in the plugin directory of ${refused.join(', ')}; nothing was registered`,
        'make that directory writable (a failover to a node without the binary breaks the mount), then register again',
      )
    }
    await switchAll(staged)
  } finally {
    await Promise.all(staged.map(({partial}) => rm(partial, {force: true})))
  }
  return {sha256, command, installs, identity: hashed?.identity}
}

/**
 * Every staged file renamed over its node's previous one. A rename failing halfway leaves some nodes on the
 * new file: said in one line (nothing was registered yet, so registering again puts every node right).
 */
async function switchAll(staged: Array<{node: string; partial: string; target: string}>): Promise<void> {
  const switched: string[] = []
  for (const {node, partial, target} of staged) {
    try {
      await rename(partial, target)
    } catch (error) {
      const done = switched.length > 0 ? `; the new file is already in place on ${switched.join(', ')}` : ''
      throw new UserError(
        `The binary could not be renamed into place in ${target} on ${node} (${errnoCode(error) ?? (error as Error).message})${done}; nothing was registered`,
        'fix that plugin directory, then register again',
      )
    }
    switched.push(node)
  }
}

/** --sha256 with --command: nothing to copy, but every node must already hold that very file. */
async function checkEverywhere(nodes: ClusterNode[], {sha256, command}: {sha256: string; command: string}) {
  const missing: string[] = []
  for (const node of nodes) {
    const found = await sha256File(join(node.pluginDir, command)).catch(() => undefined)
    if (found !== sha256) missing.push(`${node.id} (${found ? 'another sha256' : 'no such file'})`)
  }
  if (missing.length > 0) {
    throw new UserError(`${command} with sha256 ${sha256.slice(0, 12)}… is not in the plugin directory of ${missing.join(', ')}; nothing was registered`, 'copy it there, or register a local --binary')
  }
  return {sha256, command, installs: nodes.map(() => 'present' as const), identity: undefined}
}

export interface ClusterRequirement {
  /** How many nodes must hold the binary: every one that may become active. */
  nodes: number
  nodeIds: string[]
  command: string
  sha256: string
}

/**
 * Against a Vault vaultkit does not run: how many nodes must hold the binary under which name and sha256,
 * from the raft configuration (or HA status for other storage). Undefined for a single node, or when the
 * token may not read either.
 */
export async function clusterRequirement(client: VaultClient, registered: Pick<RegisterResult, 'command' | 'sha256'>): Promise<ClusterRequirement | undefined> {
  const raft = await raftServers(client).catch(() => [])
  let nodeIds = raft.map((server) => server.node_id).sort()
  if (nodeIds.length === 0) {
    const ha = await client.get('sys/ha-status').catch(() => undefined)
    nodeIds = ((ha?.data as {nodes?: Array<{hostname?: string; api_address?: string}>} | undefined)?.nodes ?? []).map((node) => node.hostname || node.api_address || '?')
  }
  if (nodeIds.length < 2) return undefined
  return {nodes: nodeIds.length, nodeIds, command: registered.command, sha256: registered.sha256}
}
