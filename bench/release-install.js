#!/usr/bin/env node
// `vaultkit server install` from a release mirror on this machine (download, signature, checksum, unzip)
// against a plain `curl` + `unzip` of the same zip, run after run. The mirror serves a real Vault binary
// zipped as HashiCorp does, signed with a key made for the run.
// Usage: npm run bench:release-install [-- RUNS [VAULT_BINARY]]   (needs gpg, zip, curl and unzip)
import {execFileSync, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median} from './common.js'

const runs = Number(process.argv[2] ?? 5)
const binary = process.argv[3] ?? join(homedir(), '.cache/vaultkit/vault/v1.21.4/vault')
if (!existsSync(binary)) throw new Error(`${binary} does not exist: run \`vaultkit server install\` first, or pass a vault binary`)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'vaultkit-bench-release-'))
const version = '1.21.4'
const platform = `${process.platform}_${{x64: 'amd64', arm64: 'arm64'}[process.arch] ?? process.arch}`
const zipName = `vault_${version}_${platform}.zip`
const sumsName = `vault_${version}_SHA256SUMS`

// The mirror's files: the zip (deflated, as HashiCorp's are), SHA256SUMS and its detached signature.
const gnupg = join(work, 'gnupg')
execFileSync('mkdir', ['-m', '700', gnupg])
const gpg = (...args) => execFileSync('gpg', ['--homedir', gnupg, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {stdio: 'pipe'})
gpg('--quick-gen-key', 'vaultkit bench <bench@example.invalid>', 'rsa4096', 'sign', 'never')
writeFileSync(join(work, 'key.asc'), gpg('--armor', '--export'))
execFileSync('cp', [binary, join(work, 'vault')])
chmodSync(join(work, 'vault'), 0o755)
execFileSync('zip', ['-q', '-j', join(work, zipName), join(work, 'vault')])
const zip = readFileSync(join(work, zipName))
const sums = `${createHash('sha256').update(zip).digest('hex')}  ${zipName}\n`
writeFileSync(join(work, sumsName), sums)
gpg('--output', join(work, `${sumsName}.sig`), '--detach-sign', join(work, sumsName))
const files = new Map([zipName, sumsName, `${sumsName}.sig`].map((name) => [`/vault/${version}/${name}`, readFileSync(join(work, name))]))

const server = createServer((req, res) => {
  const body = files.get(req.url)
  if (!body) return res.writeHead(404).end()
  res.writeHead(200, {'content-length': body.length}).end(body)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${server.address().port}`

function time(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, ...env}})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))))
  })
}

const vaultkitRun = async (i) => {
  const cache = join(work, `cache${i}`)
  const ms = await time(process.execPath, [bin, 'server', 'install', '--from', 'release'], {
    PATH: '/usr/bin:/bin',
    XDG_CACHE_HOME: cache,
    VAULTKIT_RELEASES_URL: base,
    VAULTKIT_TEST_RELEASE_KEY: join(work, 'key.asc'),
  })
  rmSync(cache, {recursive: true, force: true})
  return ms
}
const curlRun = async (i) => {
  const dir = join(work, `curl${i}`)
  const ms = await time('sh', ['-c', `mkdir -p ${dir} && curl -fsS -o ${dir}/${zipName} ${base}/vault/${version}/${zipName} && unzip -q -o ${dir}/${zipName} -d ${dir}`])
  rmSync(dir, {recursive: true, force: true})
  return ms
}

await vaultkitRun('warm')
await curlRun('warm')
const vaultkit = []
const curl = []
for (let i = 0; i < runs; i++) {
  vaultkit.push(await vaultkitRun(i))
  curl.push(await curlRun(i))
}
server.close()
rmSync(work, {recursive: true, force: true})

const v = median(vaultkit)
const c = median(curl)
console.log(`${zipName}: ${(zip.length / 1024 / 1024).toFixed(1)} MB zip of a ${(readFileSync(binary).length / 1024 / 1024).toFixed(1)} MB binary; ${runs} runs each, interleaved`)
console.log(`vaultkit server install --from release (download, signature, sha256, unzip)  median ${v.toFixed(0)} ms`)
console.log(`curl + unzip of the same file                                                median ${c.toFixed(0)} ms`)
console.log(`ratio ${(v / c).toFixed(2)}x (goal: at most 1.5x)`)
