import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {type ReleaseResult, releasePlugin} from '../../lib/project/release.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'

export default class PluginRelease extends BaseCommand {
  static override summary = 'Build the release zips and SHA256SUMS an operator installs, byte-reproducible'
  static override description =
    'Builds the plugin for each platform in parallel (CGO_ENABLED=0, -trimpath, empty build id, version from version/version.go), and writes <binary>_<version>_<os>_<arch>.zip and <binary>_<version>_SHA256SUMS. The same commit gives the same bytes in any folder, and the same as `make release`: both run the project\'s tools/release program. Prints the sha256 of each binary, what `vault plugin register -sha256` takes. A work tree with uncommitted changes is refused unless --allow-dirty.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --platform linux/amd64 --platform linux/arm64 --out ./release',
    '<%= config.bin %> <%= command.id %> --allow-dirty --json',
  ]

  static override flags = {
    project: projectFlag,
    out: Flags.string({char: 'o', description: 'folder for the zips and SHA256SUMS (default: dist/ in the project)'}),
    platform: Flags.string({
      description: 'OS/ARCH to build, repeatable (default: linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64)',
      multiple: true,
    }),
    'allow-dirty': Flags.boolean({description: 'release a work tree with uncommitted changes (the release is then not of a commit)', default: false}),
  }

  async run(): Promise<ReleaseResult> {
    const {flags} = await this.parse(PluginRelease)
    let [done, total] = [0, 0]
    const result = await releasePlugin({project: flags.project, out: flags.out, platforms: flags.platform, allowDirty: flags['allow-dirty']}, (event) => {
      if (event.event === 'plan') {
        total = event.platforms.length
        process.stderr.write(`building ${total} platforms, ${event.parallel} at a time\n`)
      } else if (event.event === 'build') process.stderr.write(`building ${event.platform}\n`)
      else if (event.event === 'built') process.stderr.write(`built    ${event.platform} in ${event.seconds} s (${++done}/${total})\n`)
      else if (event.event === 'warning') process.stderr.write(`warning: ${event.message}\n`)
      else if (event.event === 'error' && event.output) process.stderr.write(event.output)
    })
    this.log(`${result.binary} ${result.version}: ${result.platforms.length} platforms in ${result.seconds} s, in ${result.out}`)
    this.log(`${'platform'.padEnd(14)} ${'sha256 of the binary (vault plugin register -sha256)'.padEnd(64)}  zip`)
    for (const p of result.platforms) this.log(`${p.platform.padEnd(14)} ${p.sha256}  ${p.zip}`)
    this.log(`checksums of the zips: ${result.sums}`)
    return result
  }
}
