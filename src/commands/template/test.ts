import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UserError} from '../../lib/errors.js'
import {printStep} from '../../lib/cli/new-project-output.js'
import {databaseConnection, databaseFlags, trustFlag, vaultBinFlag} from '../../lib/cli/shared-flags.js'
import {type TemplateTestResult, testTemplate} from '../../lib/authoring/template-test.js'
import {requireLocalServerSupport} from '../../lib/vault/processes.js'

export default class TemplateTest extends BaseCommand {
  static override summary = 'Test a kind: validate, render, then gofmt, vet, test and build the result'
  static override description =
    "Validates the kind's template.json against the schema, renders it with the defaults (or --answers FILE) into a temporary folder, runs go mod tidy, then `gofmt -l` (must print nothing), `go vet ./...`, `go test ./...` and `go build ./cmd/...`; then it makes a project of the kind's previous version (from the folder's git history, or --from-version DIR), upgrades it to this one with plugin upgrade, and fails on any conflict, since nobody edited that project. With --e2e it also starts a Vault dev server, builds, registers and smoke-tests the plugin. Each step is reported with its time; any failure exits 1 and keeps the rendered project."

  static override examples = [
    '<%= config.bin %> <%= command.id %> ./kinds/acme-secrets',
    '<%= config.bin %> <%= command.id %> ./kinds/acme-secrets --answers answers.json --e2e',
    '<%= config.bin %> <%= command.id %> ./kinds/acme-secrets --json',
  ]

  static override args = {
    dir: Args.string({description: 'the kind folder (template.json and files/)', required: true}),
  }

  static override flags = {
    answers: Flags.string({description: 'JSON file of answers: name, module, version, description and the kind\'s own questions'}),
    e2e: Flags.boolean({description: 'also build, register and smoke-test the plugin in a Vault dev server', default: false}),
    trust: trustFlag,
    'from-version': Flags.string({description: "a folder holding the kind's previous version, to test upgrading its projects (default: from the kind folder's git history)"}),
    keep: Flags.boolean({description: 'keep the rendered project even when every step passes', default: false}),
    'vault-bin': vaultBinFlag,
    ...databaseFlags,
  }

  async run(): Promise<TemplateTestResult> {
    const {args, flags} = await this.parse(TemplateTest)
    if (flags.e2e) requireLocalServerSupport()
    const log = (line: string) => this.log(line)
    const result = await testTemplate({
      dir: args.dir,
      answersFile: flags.answers,
      e2e: flags.e2e,
      trust: flags.trust,
      fromVersion: flags['from-version'],
      keep: flags.keep,
      vaultBin: flags['vault-bin'],
      database: databaseConnection(flags),
      onStepDone: (step) => {
        printStep(step, log)
        if (step.output) log(step.output.replaceAll(/^/gm, '    '))
      },
    })
    const failed = result.steps.find((step) => step.status === 'failed')
    if (!failed) {
      log(`The ${result.kind} kind passed${result.kept ? `; the rendered project is in ${result.project}` : ''}`)
      return result
    }
    const error = new UserError(`The ${result.kind} kind failed at ${failed.step}`, `the rendered project is kept in ${result.project}`)
    if (!this.jsonEnabled()) throw error
    process.exitCode = error.exitCode
    return result
  }
}
