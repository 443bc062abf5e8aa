import {BaseCommand} from '../../lib/cli/base-command.js'
import {type BuildResult, buildPlugin} from '../../lib/project/build.js'
import {readProject} from '../../lib/project/project.js'
import {projectFlag} from '../../lib/cli/shared-flags.js'

export default class PluginBuild extends BaseCommand {
  static override summary = 'Build the plugin binary into its plugin directory'
  static override description =
    'Runs `go build -trimpath` of the main package .vaultkit.json names, with its build tags and the version stamped in, into its plugin directory, and prints the path, version and sha256. A dev build leaves out the symbol table and DWARF (-ldflags "-s -w"): it links faster and is smaller, and panics still print stack traces; `plugin dev --debug` builds with them for a debugger. It asks git for no VCS stamp either (-buildvcs=false). Ship what `plugin release` builds, not this.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --project ./vault-plugin-secrets-hello --json']
  static override flags = {project: projectFlag}

  async run(): Promise<BuildResult> {
    const {flags} = await this.parse(PluginBuild)
    const project = await readProject(flags.project)
    const result = await buildPlugin(project, (compilerOutput) => process.stderr.write(`${compilerOutput}\n`))
    this.log(result.upToDate ? `${result.path} (${result.version ?? 'unversioned'}) is up to date: nothing it is built from changed` : `Built ${result.path} (${result.version ?? 'unversioned'}) in ${result.seconds} s`)
    this.log(`sha256 ${result.sha256}`)
    return result
  }
}
