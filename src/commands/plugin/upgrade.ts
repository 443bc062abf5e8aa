import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UserError} from '../../lib/errors.js'
import {printStep} from '../../lib/cli/new-project-output.js'
import {parseAnswerFlags} from '../../lib/scaffold/questions/given.js'
import {printDone, printPlan} from '../../lib/scaffold/upgrade/output.js'
import {type UpgradeResult, upgradeProject} from '../../lib/scaffold/upgrade/upgrade.js'

export default class PluginUpgrade extends BaseCommand {
  static override summary = "Bring the project up to its kind's current version with a three-way merge"
  static override description =
    "Renders the project's kind as it is now with the answers recorded in .vaultkit.json, then merges each file three ways: the pristine render the project was made from, the project now, and the new render. Files you never changed are updated, your changes are kept, both are merged; a conflict leaves git's markers in the file, is listed, and exits 1. Runs `go mod tidy` when go.mod changed. Refuses uncommitted changes unless --allow-dirty; an interrupted upgrade leaves the project as it was."

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --yes',
    '<%= config.bin %> <%= command.id %> --template ../kinds/acme-secrets --kind-version 2.0.0',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = {
    project: Flags.string({char: 'p', description: 'the project folder', default: '.'}),
    'dry-run': Flags.boolean({description: 'print the plan for each file and a diff, and write nothing', default: false}),
    'kind-version': Flags.string({description: 'refuse unless the kind found is at this version'}),
    'allow-dirty': Flags.boolean({description: 'upgrade even with uncommitted changes in the project', default: false}),
    template: Flags.string({description: 'the folder where the kind is now (when it moved)'}),
    answer: Flags.string({description: 'answer a question the kind added since, KEY=VALUE (repeatable)', multiple: true}),
    yes: Flags.boolean({char: 'y', description: 'take the default for every question the kind added since', default: false}),
    interactive: Flags.boolean({description: 'ask for missing answers (default: when stdin is a terminal)', allowNo: true}),
    tidy: Flags.boolean({description: 'run `go mod tidy` when go.mod changed', default: true, allowNo: true}),
  }

  async run(): Promise<UpgradeResult> {
    const {flags} = await this.parse(PluginUpgrade)
    const log = (line: string) => this.log(line)
    const result = await upgradeProject({
      project: flags.project,
      dryRun: flags['dry-run'],
      allowDirty: flags['allow-dirty'],
      kindVersion: flags['kind-version'],
      template: flags.template,
      tidy: flags.tidy,
      answers: parseAnswerFlags(flags.answer),
      yes: flags.yes,
      interactive: this.canPrompt(flags.interactive),
      onPlanned: (planned) => printPlan(planned, log),
      onStepStart: (step) => log(`  ${step}...`),
      onStepDone: (step) => printStep(step, log),
    })
    printDone(result, log)
    const failed = result.steps.find((step) => step.status === 'failed')
    // A dry run reports the conflicts it would leave (in `conflicts` with --json) and succeeds.
    const problem = result.conflicts.length && !result.dryRun
      ? new UserError(`The upgrade left conflicts in ${result.conflicts.length} file${result.conflicts.length === 1 ? '' : 's'}: ${result.conflicts.join(', ')}`, 'resolve them (look for <<<<<<<), run `go mod tidy` if go.mod changed, then commit')
      : failed && new UserError(`The upgrade is applied, but ${failed.step} did not run (${failed.detail})`, failed.fix)
    if (problem) {
      if (!this.jsonEnabled()) throw problem
      process.exitCode = problem.exitCode
    }
    return result
  }
}
