import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../lib/cli/base-command.js'
import {type DoctorCheck, runDoctor} from '../lib/doctor.js'
import {color} from '../lib/cli/output.js'
import {vaultAddrFlag, vaultBinFlag, vulnDbFlag} from '../lib/cli/shared-flags.js'
import {createProgress} from '../lib/cli/progress.js'

const MARK: Record<DoctorCheck['status'], string> = {
  ok: color.green('ok'),
  warning: color.yellow('warning'),
  failed: color.red('failed'),
  skipped: color.dim('skipped'),
}

export default class Doctor extends BaseCommand {
  static override summary = 'Check go, git, vault, the project (and its known vulnerabilities) and its Vault server, and say what to fix'
  static override description =
    'Exits 1 when a check failed (vaultkit cannot do its work until it is fixed); warnings only limit what works.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --project ./vault-plugin-secrets-hello --json']
  static override flags = {
    // No default, unlike other commands: a folder named here that is not a project is a failure.
    project: Flags.string({char: 'p', description: 'plugin project folder (default: the current folder)'}),
    'vault-addr': vaultAddrFlag,
    'vault-bin': vaultBinFlag,
    'vuln-db': vulnDbFlag,
  }

  async run(): Promise<{ok: boolean; checks: DoctorCheck[]}> {
    const {flags} = await this.parse(Doctor)
    const checks = await runDoctor({
      projectDir: flags.project ?? '.',
      projectGiven: flags.project !== undefined,
      vaultAddr: flags['vault-addr'],
      vaultBin: flags['vault-bin'],
      vulnDb: flags['vuln-db'],
      progress: createProgress(process.stderr),
    })
    const width = Math.max(...checks.map((c) => c.check.length))
    for (const {check, status, detail, fix} of checks) {
      this.log(`${MARK[status]}${' '.repeat(8 - status.length)} ${check.padEnd(width)}  ${detail}`)
      if (fix && status !== 'ok') this.log(`${' '.repeat(9 + width)}  fix: ${fix}`)
    }
    const failed = checks.filter((c) => c.status === 'failed').length
    const warnings = checks.filter((c) => c.status === 'warning').length
    this.log(`\n${count(failed, 'failure')}, ${count(warnings, 'warning')}`)
    if (failed > 0) process.exitCode = 1
    return {ok: failed === 0, checks}
  }
}

const count = (n: number, noun: string) => (n === 0 ? `no ${noun}s` : `${n} ${noun}${n === 1 ? '' : 's'}`)
