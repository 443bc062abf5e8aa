import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {color, formatBytes, shellQuote} from '../../lib/cli/output.js'
import {type NewKindResult, newKind} from '../../lib/authoring/template-new.js'

export default class TemplateNew extends BaseCommand {
  static override summary = 'Create a new kind folder from an existing kind, ready to edit'
  static override description =
    "Writes NAME/template.json (the manifest of --from, renamed) and a copy of that kind's files/. The common layer (go.mod, version package, CI, ...) is not copied: every kind gets it. `template test` passes on the result as it is."

  static override examples = [
    '<%= config.bin %> <%= command.id %> acme-secrets',
    '<%= config.bin %> <%= command.id %> acme-auth --from auth --dir ./kinds/acme-auth',
  ]

  static override args = {
    name: Args.string({description: 'kind name: what `plugin new --type` will take', required: true}),
  }

  static override flags = {
    from: Flags.string({description: 'kind to start from', default: 'secrets'}),
    dir: Flags.string({char: 'o', description: 'folder to create (default: ./NAME)'}),
    description: Flags.string({char: 'd', description: 'one-line description of the kind'}),
  }

  async run(): Promise<NewKindResult> {
    const {args, flags} = await this.parse(TemplateNew)
    const result = await newKind({name: args.name, from: flags.from, dir: flags.dir, description: flags.description})
    this.log(`Created the ${color.bold(result.name)} kind (from ${result.from}) in ${result.directory}`)
    for (const file of result.files) this.log(`  ${color.green('create')} ${file.path}  ${color.dim(formatBytes(file.size))}`)
    this.log('')
    this.log('Next:')
    this.log(`  vaultkit template test ${shellQuote(result.directory)}`)
    this.log(`  vaultkit plugin new hello --template ${shellQuote(result.directory)}`)
    return result
  }
}
