import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UserError} from '../../lib/errors.js'
import {type NewProjectResult, newProject} from '../../lib/scaffold/new-project.js'
import {printFiles, printNextSteps, printStep} from '../../lib/cli/new-project-output.js'
import {mergeGiven, parseAnswerFlags, readAnswersFile} from '../../lib/scaffold/questions/given.js'
import {trustFlag} from '../../lib/cli/shared-flags.js'

export default class PluginNew extends BaseCommand {
  static override summary = 'Create a new Vault plugin project'
  static override description =
    'Renders a complete Go project of the chosen kind, runs `go mod tidy` so it builds at once, and makes a first git commit. Asks in a terminal for what the flags do not give.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> hello --type secrets --yes',
    '<%= config.bin %> <%= command.id %> hello --module github.com/acme/vault-plugin-secrets-hello --dir ./plugins/hello',
    '<%= config.bin %> <%= command.id %> hello --yes --dry-run --json',
    '<%= config.bin %> <%= command.id %> hello --template ./kinds/acme-secrets --answer withCreds=false --yes',
    '<%= config.bin %> <%= command.id %> --answers plugin.json --no-interactive',
  ]

  static override args = {
    name: Args.string({description: 'plugin name, e.g. "hello" (binary vault-plugin-secrets-hello)'}),
  }

  static override flags = {
    type: Flags.string({char: 't', description: 'kind of plugin to create (default: secrets)'}),
    template: Flags.string({description: 'a kind folder outside vaultkit (template.json and files/) to use as the kind'}),
    answer: Flags.string({description: "answer one of the kind's own questions, KEY=VALUE (repeatable)", multiple: true}),
    answers: Flags.string({
      description: "JSON file of answers: name, type, module, version, description, dir and the kind's own questions (flags win)",
    }),
    trust: trustFlag,
    module: Flags.string({char: 'm', description: 'Go module path (default: example.com/<binary name>)'}),
    dir: Flags.string({char: 'o', aliases: ['output'], description: 'directory to create, also --output (default: ./<binary name>)'}),
    'plugin-version': Flags.string({description: 'first version of the plugin (default: 0.1.0)'}),
    description: Flags.string({char: 'd', description: 'one-line description of the plugin'}),
    yes: Flags.boolean({char: 'y', description: 'take the default for every answer not given', default: false}),
    interactive: Flags.boolean({description: 'ask for missing answers (default: when stdin is a terminal)', allowNo: true}),
    'dry-run': Flags.boolean({description: 'print the files that would be written, and write nothing', default: false}),
    tidy: Flags.boolean({description: 'run `go mod tidy` after writing', default: true, allowNo: true}),
    git: Flags.boolean({description: 'git init and commit after writing', default: true, allowNo: true}),
  }

  async run(): Promise<NewProjectResult> {
    const {args, flags} = await this.parse(PluginNew)
    const log = (line: string) => this.log(line)
    const given = {
      name: args.name,
      type: flags.type,
      module: flags.module,
      dir: flags.dir,
      version: flags['plugin-version'],
      description: flags.description,
      extra: parseAnswerFlags(flags.answer),
    }
    const file = flags.answers ? readAnswersFile(flags.answers) : undefined
    // --template names the kind, so it wins over the file's type as any flag does.
    if (file && flags.template !== undefined) delete file.type
    const result = await newProject({
      given: file ? mergeGiven(file, given) : given,
      template: flags.template,
      trust: flags.trust,
      yes: flags.yes,
      interactive: this.canPrompt(flags.interactive),
      dryRun: flags['dry-run'],
      tidy: flags.tidy,
      git: flags.git,
      onWritten: (planned) => printFiles(planned, log),
      onStepStart: (step) => log(`  ${step}...`),
      onStepDone: (step) => printStep(step, log),
    })
    const failed = result.steps.find((step) => step.status === 'failed')
    if (!failed && !result.dryRun) printNextSteps(result, log)
    if (failed) {
      const what = failed.command === undefined ? `${failed.step} did not run` : `\`${failed.command}\` failed`
      const error = new UserError(`The project is written, but ${what} (${failed.detail})`, failed.fix)
      if (!this.jsonEnabled()) throw error
      process.exitCode = error.exitCode
    }
    return result
  }
}
