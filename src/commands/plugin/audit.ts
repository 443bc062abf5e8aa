import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {createProgress} from '../../lib/cli/progress.js'
import {checkPlatform, projectFlag, vulnDbFlag} from '../../lib/cli/shared-flags.js'
import {type AuditResult, allowFlags, auditProject, findingLines, vulnDatabase} from '../../lib/audit/govulncheck.js'
import {readProject} from '../../lib/project/project.js'

export default class PluginAudit extends BaseCommand {
  static override summary = 'Scan the plugin for known vulnerabilities in code it calls (govulncheck)'
  static override description =
    "Runs govulncheck on the plugin's main package as built for this machine (or for each --platform), with the project's build tags, against the Go vulnerability database (or --vuln-db). Lists the advisories in code the plugin calls, with the `go get` or Go release that fixes each, and those in modules it requires but does not call. Exits 1 when it calls vulnerable code: the same check stops `plugin release`. govulncheck is installed into vaultkit's cache on first use; a result is kept for the same sources, Go release and database."

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --vuln-db file:///srv/vulndb --json']

  static override flags = {
    project: projectFlag,
    'vuln-db': vulnDbFlag,
    platform: Flags.string({description: "OS/ARCH whose build to scan, repeatable (default: this machine's); `plugin release` scans each it builds", multiple: true}),
  }

  async run(): Promise<AuditResult> {
    const {flags} = await this.parse(PluginAudit)
    const project = await readProject(flags.project)
    for (const platform of flags.platform ?? []) checkPlatform(platform)
    const result = await auditProject(project, {db: vulnDatabase(flags['vuln-db']), platforms: flags.platform, progress: createProgress(process.stderr)})
    const {called, uncalled, platforms} = result
    this.log(`${result.package} for ${platforms.join(', ')} with ${result.goVersion}: ${called.length} called, ${uncalled.length} not called${result.cached ? ' (an earlier scan of these sources)' : ''}`)
    for (const line of findingLines(result)) this.log(line)
    if (called.length) {
      this.logToStderr(`the plugin calls code with ${called.length} known ${called.length === 1 ? 'vulnerability' : 'vulnerabilities'}: fix them as listed, or release with ${allowFlags(called)}`)
      process.exitCode = 1
    }
    return result
  }
}
