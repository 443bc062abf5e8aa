// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the smoke placeholders ${path}, ${name}, ${random}, written as template.json holds them
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, expect, test} from 'vitest'

import {BIN, runCli} from '../helpers.js'
import {installVault, readServerState, startVaultkit, vaultHttp} from './vault.js'

// A kind of the author's own, with no hello path: its smoke is what its template.json declares, read afresh
// on every round of one `plugin dev` (one dev server for the file): a declared smoke is sent and its answer
// shown, no smoke is one line and a good round, a failed expectation is one line naming the request.
const parent = mkdtempSync(join(tmpdir(), 'vaultkit-e2e-smoke-'))
const kind = join(parent, 'acme')
const project = join(parent, 'vault-plugin-secrets-hello')

const creds = {
  method: 'GET',
  path: '${path}/creds',
  setup: {status: 400, error: 'not configured', requests: [{method: 'POST', path: '${path}/config', body: {custom_prefix: 'smoke-${random}'}}]},
  expect: {'data.token_id': '^[A-Z2-7]{26}$', 'data.token': true},
}
const writeSmoke = (smoke?: object) => {
  const manifest = JSON.parse(readFileSync(join(kind, 'template.json'), 'utf8'))
  manifest.smoke = smoke
  writeFileSync(join(kind, 'template.json'), JSON.stringify(manifest, null, 2))
}

beforeAll(async () => {
  await installVault()
  const made = await runCli(['template', 'new', 'acme', '--from', 'secrets', '--dir', kind])
  if (made.exitCode !== 0) throw new Error(`template new failed: ${made.stderr}`)
  // No hello path: the kind keeps config and creds (and the not-configured answer creds shares with hello).
  const hello = join(kind, 'files/path_hello.go.hbs')
  const notConfigured = /func notConfiguredResponse[\s\S]*?\n}\n/.exec(readFileSync(hello, 'utf8'))![0]
  writeFileSync(hello, `package {{goPackage}}\n\nimport "github.com/hashicorp/vault/sdk/logical"\n\n${notConfigured}`)
  rmSync(join(kind, 'files/path_hello_test.go.hbs'))
  const backend = join(kind, 'files/backend.go.hbs')
  writeFileSync(backend, readFileSync(backend, 'utf8').replace(/\n\s*pathHello\(b\),/, ''))
  writeSmoke({requests: [creds], show: 'token ${data.token_id} for ${name} at ${path}: ${data.token}'})
  const made2 = await runCli(['plugin', 'new', 'hello', '--template', kind, '--yes', '--no-git', '--dir', project])
  if (made2.exitCode !== 0) throw new Error(`plugin new failed: ${made2.stderr}`)
}, 1_800_000)

afterAll(() => rmSync(parent, {recursive: true, force: true}))

test('plugin dev sends the smoke the kind declares, says when it declares none, and names the request whose answer fails', async () => {
  const dev = startVaultkit(['plugin', 'dev', '--project', project])
  const source = join(project, 'path_config.go')
  const touch = (n: number) => writeFileSync(source, `${readFileSync(source, 'utf8')}\n// round ${n}\n`)
  const leases = async () => {
    const {status, body} = await vaultHttp(readServerState(project), 'LIST', 'sys/leases/lookup/hello/creds')
    return status === 404 ? [] : (body.data.keys as string[])
  }
  try {
    // (a) The declared request, after its setup (the fresh mount answers 400 until configured), with the
    // placeholders filled in; the token shown hidden, its lease revoked.
    const [line] = await dev.waitFor(/✔ ready: .*\n {2}GET hello\/creds -> .*\n/, 300_000)
    expect(line).toMatch(/✔ ready: build [\d.]+ s, register [\d.]+ s \(enabled\), GET hello\/creds \d+ ms/)
    expect(line).toMatch(/ {2}GET hello\/creds -> token [A-Z2-7]{26} for hello at hello: \(hidden\), then revoked it\n$/)
    expect(dev.output).not.toMatch(/GET hello\/hello/)
    expect(dev.output).not.toMatch(/hello_[A-Z2-7]{26}/)
    const server = readServerState(project)
    expect((await vaultHttp(server, 'GET', 'hello/config')).body.data.custom_prefix).toMatch(/^smoke-[\w-]{24}$/)
    expect(await leases()).toEqual([])
    await dev.waitFor(/Watching for changes/, 300_000)

    // The commands printed to try it are the kind's smoke, and work as printed in a shell without vault on PATH.
    const tryLines = /Use it from another terminal:\n {2}eval .*\n((?: {2}.*\n)+)/.exec(dev.output)![1]!.trim().split(/\n {2}/)
    expect(tryLines).toEqual(['vault read hello/creds', 'curl -s -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/hello/creds"'])
    for (const line of tryLines) {
      const shell = await execa('sh', ['-c', `eval "$("${process.execPath}" "${BIN}" server env --project "${project}")" && ${line}`], {
        env: {PATH: '/usr/bin:/bin', NO_COLOR: '1'},
        extendEnv: false,
        reject: false,
      })
      expect(shell.exitCode, `${line}: ${shell.stderr}`).toBe(0)
      expect(shell.stdout).toMatch(/token_id/)
    }
    expect(await leases()).toHaveLength(2)
    await vaultHttp(readServerState(project), 'POST', 'sys/leases/revoke-prefix/hello/creds')

    // (b) None declared: one line, and the round is a good one.
    writeSmoke(undefined)
    let from = dev.output.length
    touch(1)
    const [none] = await dev.waitFor(/✔ changed path_config\.go: .*\n.*\n/, 300_000, from)
    expect(none).toMatch(/no smoke \d+ ms, total/)
    expect(none).toContain(`  no smoke request: ${join(kind, 'template.json')} declares none\n`)

    // (c) An expectation the answer fails: one line naming the request, the field and what was expected;
    // the lease it made revoked all the same.
    writeSmoke({requests: [{...creds, expect: {'data.token_id': '^never$'}}]})
    from = dev.output.length
    touch(2)
    const [failed] = await dev.waitFor(/✖ changed path_config\.go: .*\n/, 300_000, from)
    expect(failed).toMatch(
      new RegExp(
        `^✖ changed path_config\\.go: Smoke request GET hello/creds answered, but data\\.token_id is "[A-Z2-7]{26}", which does not match \\^never\\$ ` +
          `\\(fix the plugin, or field "smoke/requests/0/expect/data\\.token_id" of ${join(kind, 'template.json').replaceAll('.', '\\.')}\\); the running plugin keeps serving\n$`,
      ),
    )
    expect(await leases()).toEqual([])

    // A smoke of the wrong shape is a manifest error naming file and field, on that round's one line.
    writeSmoke({requests: [{method: 'GET', path: '${path}/creds/${role}'}]})
    from = dev.output.length
    touch(3)
    const [invalid] = await dev.waitFor(/✖ changed path_config\.go: .*\n/, 300_000, from)
    expect(invalid).toContain(`${join(kind, 'template.json')}: field "smoke/requests/0/path" uses \${role}, which is not a placeholder`)
  } finally {
    // Also after a failed expectation: plugin dev stops the dev server it started.
    dev.kill('SIGINT')
    await dev
  }
  expect(dev.exitCode, dev.output).toBe(0)
}, 900_000)
