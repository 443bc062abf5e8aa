import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {type ReleaseResult, releasePlugin} from '../../lib/project/release.js'
import {checkAdvisoryId, projectFlag, vulnDbFlag} from '../../lib/cli/shared-flags.js'
import {createProgress} from '../../lib/cli/progress.js'
import {describeFinding, vulnDatabase} from '../../lib/audit/govulncheck.js'

export default class PluginRelease extends BaseCommand {
  static override summary = 'Build the release zips and SHA256SUMS an operator installs, byte-reproducible'
  static override description =
    'Builds the plugin for each platform in parallel (CGO_ENABLED=0, -trimpath, empty build id, version from version/version.go), and writes <binary>_<version>_<os>_<arch>.zip and <binary>_<version>_SHA256SUMS. The same commit gives the same bytes in any folder, and the same as `make release`: both run the project\'s tools/release program. Prints the sha256 of each binary, what `vault plugin register -sha256` takes. Each zip gets a CycloneDX SBOM written from the binary\'s own build information (<zip name>.cdx.json), listed in SHA256SUMS; --sign signs SHA256SUMS with gpg. Before anything is written, the release is scanned for known vulnerabilities with govulncheck: sources scanned before decide at once from the kept result; else the binary built for each platform is scanned (a tenth of a second), and the sources as built for that platform wherever the binary links a vulnerable function that --allow-vuln does not name. A known vulnerability in code the plugin calls on any platform stops the release unless --allow-vuln names it. A work tree with uncommitted changes is refused unless --allow-dirty.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --platform linux/amd64 --platform linux/arm64 --out ./release',
    '<%= config.bin %> <%= command.id %> --allow-dirty --json',
    '<%= config.bin %> <%= command.id %> --sign author@example.com',
    '<%= config.bin %> <%= command.id %> --vuln-db file:///srv/vulndb --allow-vuln GO-2026-6809',
  ]

  static override flags = {
    project: projectFlag,
    out: Flags.string({char: 'o', description: 'folder for the zips and SHA256SUMS (default: dist/ in the project)'}),
    platform: Flags.string({
      description: 'OS/ARCH to build, repeatable (default: linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64)',
      multiple: true,
    }),
    'allow-dirty': Flags.boolean({description: 'release a work tree with uncommitted changes (the release is then not of a commit)', default: false}),
    sign: Flags.string({description: "sign SHA256SUMS with this gpg key (id, fingerprint or email): writes <binary>_<version>_SHA256SUMS.sig; the key stays in gpg's keyring or agent"}),
    'allow-vuln': Flags.string({description: 'release although the plugin calls code with this advisory (GO-YYYY-NNNN), repeatable; recorded in the SBOMs', multiple: true}),
    'vuln-db': vulnDbFlag,
    'skip-audit': Flags.boolean({description: 'release without the vulnerability scan (the result says it was not scanned)', default: false, exclusive: ['allow-vuln', 'vuln-db']}),
  }

  async run(): Promise<ReleaseResult> {
    const {flags} = await this.parse(PluginRelease)
    for (const id of flags['allow-vuln'] ?? []) checkAdvisoryId(id)
    let [done, total] = [0, 0]
    const audit = flags['skip-audit']
      ? {skip: true as const}
      : {db: vulnDatabase(flags['vuln-db']), allow: flags['allow-vuln'], progress: createProgress(process.stderr)}
    const options = {project: flags.project, out: flags.out, platforms: flags.platform, allowDirty: flags['allow-dirty'], sign: flags.sign, audit}
    const result = await releasePlugin(options, (event) => {
      if (event.event === 'plan') {
        total = event.platforms.length
        process.stderr.write(`building ${total} platforms, ${event.parallel} at a time\n`)
      } else if (event.event === 'build') process.stderr.write(`building ${event.platform}\n`)
      else if (event.event === 'built') process.stderr.write(`built    ${event.platform} in ${event.seconds} s (${++done}/${total})\n`)
      else if (event.event === 'warning') process.stderr.write(`warning: ${event.message}\n`)
      else if (event.event === 'error' && event.output) process.stderr.write(event.output)
    })
    this.log(`${result.binary} ${result.version}: ${result.platforms.length} ${result.platforms.length === 1 ? 'platform' : 'platforms'} in ${result.seconds} s, in ${result.out}`)
    this.log(`${'platform'.padEnd(14)} ${'sha256 of the binary (vault plugin register -sha256)'.padEnd(64)}  zip`)
    for (const p of result.platforms) this.log(`${p.platform.padEnd(14)} ${p.sha256}  ${p.zip}`)
    this.log(`checksums of the zips${result.platforms[0]?.sbom ? ' and SBOMs' : ''}: ${result.sums}`)
    if (result.signature) this.log(`signature of the checksums: ${result.signature}`)
    if (result.audit.skipped) this.log('vulnerabilities: not scanned (--skip-audit)')
    else {
      const {allowed, listed, platforms} = result.audit
      this.log(`vulnerabilities on ${platforms.join(', ')}: none called${allowed.length ? ` but ${allowed.map((f) => f.id).join(', ')} (--allow-vuln, recorded in the SBOMs)` : ''}`)
      if (listed.length) this.log(`  in modules it does not call: ${listed.map((f) => describeFinding(f, platforms)).join('; ')}`)
    }
    return result
  }
}
