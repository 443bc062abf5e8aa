import {describe, expect, test} from 'vitest'

import {compareVersions} from '../../src/lib/versions.js'
import {freePorts, nodeConfig, planNodes} from '../../src/lib/vault/cluster-config.js'

describe('cluster node configs', () => {
  const nodes = planNodes('/p/.vaultkit', [8201, 8202, 8203, 8204, 8205, 8206])

  test('each node has its own folder, ports and plugin directory', () => {
    expect(nodes.map((n) => [n.id, n.apiPort, n.clusterPort, n.pluginDir])).toEqual([
      ['node-1', 8201, 8202, '/p/.vaultkit/node-1/plugins'],
      ['node-2', 8203, 8204, '/p/.vaultkit/node-2/plugins'],
      ['node-3', 8205, 8206, '/p/.vaultkit/node-3/plugins'],
    ])
  })

  test('raft storage of its own, joined by vaultkit rather than retry_join; autopilot looks often; not dev mode', () => {
    const hcl = nodeConfig(nodes[1]!)
    expect(hcl).toContain('node_id = "node-2"')
    expect(hcl).toContain('path    = "/p/.vaultkit/node-2/raft"')
    expect(hcl).not.toContain('retry_join')
    expect(hcl).toContain('autopilot_reconcile_interval = "1s"')
    expect(hcl).toContain('address         = "127.0.0.1:8203"')
    expect(hcl).toContain('cluster_address = "127.0.0.1:8204"')
    expect(hcl).toContain('api_addr         = "http://127.0.0.1:8203"')
    expect(hcl).toContain('cluster_addr     = "https://127.0.0.1:8204"')
    expect(hcl).toContain('plugin_directory = "/p/.vaultkit/node-2/plugins"')
    expect(hcl).not.toMatch(/-dev|dev_/)
  })

  test('free ports are distinct', async () => {
    const ports = await freePorts(10)
    expect(new Set(ports).size).toBe(10)
  })
})

test.each([
  ['v0.1.0', 'v0.2.0', -1],
  ['v0.10.0', 'v0.9.2', 1],
  ['v1.0.0-rc1', 'v1.0.0', -1],
  ['v1.0.0', 'v1.0.0', 0],
  ['v2.0.0', 'v1.99.99', 1],
])('compareVersions(%s, %s) has the sign of %d', (a, b, sign) => {
  expect(Math.sign(compareVersions(a, b))).toBe(sign)
})
