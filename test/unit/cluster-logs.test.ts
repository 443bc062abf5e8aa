import {appendFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stripVTControlCharacters} from 'node:util'
import {describe, expect, test} from 'vitest'

import {followNodeLogs} from '../../src/lib/vault/cluster-logs.js'
import {planNodes} from '../../src/lib/vault/cluster-config.js'
import {tempDir} from '../helpers.js'

// A plugin line as a cluster node logs it (the versioned file name is the logger's last part), and Vault's own.
const pluginLine = (name: string) =>
  `2026-12-01T14:52:39.416Z [INFO]  secrets.hello.hello_962d179e.hello.vault-plugin-secrets-hello_v0.4.0: hello requested: name=${name} timestamp=2026-12-01T14:52:39.416Z\n`
const VAULT_LINE = '2026-12-01T14:52:39.500Z [INFO]  core: vault is unsealed\n'

function cluster() {
  const dir = tempDir()
  const nodes = planNodes(dir, [1, 2, 3, 4, 5, 6])
  for (const node of nodes) writeFileSync(join(dir, `${node.id}.log`), '')
  return nodes.map((node) => ({...node, logFile: join(dir, `${node.id}.log`)}))
}

const options = (print: (text: string) => void, follow: boolean, fromEnd = false) => ({
  binaryName: 'vault-plugin-secrets-hello',
  level: 'info' as const,
  vaultLogs: false,
  follow,
  fromEnd,
  print: (text: string) => print(stripVTControlCharacters(text)),
})

describe('a plugin’s lines from every node of a cluster', () => {
  test('without follow: node after node, each line prefixed with its node id, Vault’s own lines left out', async () => {
    const nodes = cluster()
    appendFileSync(nodes[2]!.logFile, pluginLine('three') + VAULT_LINE)
    appendFileSync(nodes[0]!.logFile, pluginLine('one'))
    const printed: string[] = []
    await (await followNodeLogs(nodes, options((text) => printed.push(text), false))).done
    expect(printed).toEqual(['node-1  14:52:39.416 INFO  hello requested: name=one', 'node-3  14:52:39.416 INFO  hello requested: name=three'])
  })

  test('with follow from the end: only what every node writes from now on, as it is written', async () => {
    const nodes = cluster()
    appendFileSync(nodes[0]!.logFile, pluginLine('before'))
    const printed: string[] = []
    const follower = await followNodeLogs(nodes, options((text) => printed.push(text), true, true))
    appendFileSync(nodes[1]!.logFile, pluginLine('after failover'))
    appendFileSync(nodes[0]!.logFile, pluginLine('later'))
    await follower.flush()
    await follower.close()
    expect(printed.sort()).toEqual(['node-1  14:52:39.416 INFO  hello requested: name=later', 'node-2  14:52:39.416 INFO  hello requested: name=after failover'])
  })
})
