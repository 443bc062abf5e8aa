import {mkdir, readFile, readdir, rename, rm} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'

import {UserError} from '../errors.js'
import {run} from '../exec.js'
import type {PluginProject} from '../project/project.js'
import {stateDir} from '../vault/state.js'

/**
 * Coverage of what both tiers ran: the unit tier's test binaries and the plugin processes Vault started,
 * each writing Go's binary coverage data (Go 1.20+) into a folder of its own, merged by `go tool covdata`.
 * Vault hands a plugin its own environment plus the catalog entry's `env` (the entry's wins), so the
 * plugin finds GOCOVERDIR there. A Go program writes its counters when it exits, not when it is killed:
 * go-plugin's Kill asks the plugin to shut down over gRPC first, and Vault kills a plugin that way when a
 * mount is reloaded, so registering the plain build again at the end is what makes them land.
 */
export interface CoverageRun {
  /** Scratch: <project>/.vaultkit/coverage, emptied at the start, removed at the end. */
  dir: string
  unitDir: string
  acceptanceDir: string
  /** The module's packages the plugin is built from: what is measured, in both tiers. */
  packages: string[]
  /** Where the merged text profile goes. */
  profile: string
}

export interface TierCoverage {
  statements: number
  covered: number
  /** Percent, to a tenth. */
  percent: number
}

export interface CoverageSummary extends TierCoverage {
  profile: string
  unit: TierCoverage
  /** Undefined when no acceptance test ran. */
  acceptance?: TierCoverage
}

/** -covermode for both tiers: the plugin serves requests concurrently, and modes must match to merge. */
const MODE = 'atomic'

export async function prepareCoverage(project: PluginProject, profile: string): Promise<CoverageRun> {
  const dir = join(stateDir(project.dir), 'coverage')
  const run = {dir, unitDir: join(dir, 'unit'), acceptanceDir: join(dir, 'acceptance'), packages: await pluginPackages(project), profile: resolve(project.dir, profile)}
  await rm(dir, {recursive: true, force: true})
  await mkdir(run.unitDir, {recursive: true})
  await mkdir(run.acceptanceDir, {recursive: true})
  return run
}

/** go test flags of the unit tier: before the packages, and the -args after them. */
export function unitCoverFlags(run: CoverageRun): {flags: string[]; args: string[]} {
  return {flags: ['-cover', `-covermode=${MODE}`, `-coverpkg=${run.packages.join(',')}`], args: ['-args', `-test.gocoverdir=${run.unitDir}`]}
}

/** go build flags of the plugin's instrumented build. */
export function buildCoverFlags(packages: string[]): string[] {
  return ['-cover', `-covermode=${MODE}`, `-coverpkg=${packages.join(',')}`]
}

/**
 * The main package's dependencies that belong to the project's module: the plugin's own code, not its
 * tools (tools/release) or anyone else's.
 */
async function pluginPackages(project: PluginProject): Promise<string[]> {
  const {tags, cgo} = project.description.build
  const format = '{{if .Module}}{{if .Module.Main}}{{.ImportPath}}{{end}}{{end}}'
  const result = await run('go', ['list', '-deps', '-f', format, ...(tags.length ? ['-tags', tags.join(',')] : []), project.description.main], {
    cwd: project.dir,
    env: {CGO_ENABLED: cgo ? '1' : '0'},
  })
  if (result.exitCode !== 0) throw new UserError(`go list ${project.description.main} failed: ${String(result.all).trim().split('\n')[0]}`, 'fix the build (`vaultkit plugin build` shows the errors), then test again')
  return String(result.stdout).split('\n').filter(Boolean)
}

/**
 * The tiers merged into the text profile that `go tool cover -html` opens (written whole, then renamed),
 * with each tier's figure and the total. The scratch folder is left for the caller to remove.
 */
export async function coverageReport(run: CoverageRun, tiers: {acceptance: boolean}): Promise<CoverageSummary> {
  if (tiers.acceptance) {
    // A plugin started with GOCOVERDIR writes its meta-data at once, and its counters when it exits.
    const written = await readdir(run.acceptanceDir)
    if (!written.some((f) => f.startsWith('covmeta.'))) {
      throw new UserError('the plugin wrote no coverage data: Vault did not start it with GOCOVERDIR', "check that the server's plugin catalog takes `env` (Vault 1.x does), then test again")
    }
    if (!written.some((f) => f.startsWith('covcounters.'))) {
      throw new UserError('the plugin wrote no coverage counters: Vault killed it before it could exit', 'check the dev server log (`vaultkit server logs`) for the plugin being stopped, then test again')
    }
  }
  // Nothing at all (the tests did not build): an empty profile would replace a good one.
  if (!tiers.acceptance && !(await readdir(run.unitDir)).some((f) => f.startsWith('covmeta.'))) {
    throw new UserError('no coverage was written: no test binary ran', 'fix what the unit tier reported, then test again')
  }
  await mkdir(dirname(run.profile), {recursive: true})
  const partial = `${run.profile}.partial`
  const inputs = tiers.acceptance ? [run.unitDir, run.acceptanceDir] : [run.unitDir]
  try {
    const merged = await textProfile(inputs, partial)
    const unit = totals(tiers.acceptance ? await textProfile([run.unitDir], `${partial}.unit`) : merged, merged)
    const acceptance = tiers.acceptance ? totals(await textProfile([run.acceptanceDir], `${partial}.acceptance`), merged) : undefined
    await rename(partial, run.profile)
    return {...totals(merged), profile: run.profile, unit, ...(acceptance ? {acceptance} : {})}
  } finally {
    await Promise.all([partial, `${partial}.unit`, `${partial}.acceptance`].map((f) => rm(f, {force: true})))
  }
}

async function textProfile(inputs: string[], output: string): Promise<string> {
  const result = await run('go', ['tool', 'covdata', 'textfmt', `-i=${inputs.join(',')}`, `-o=${output}`])
  if (result.exitCode !== 0) throw new UserError(`go tool covdata failed: ${String(result.all).trim().split('\n')[0]}`, 'check that go is the version the project builds with')
  return readFile(output, 'utf8')
}

/**
 * Statements and covered statements of a text profile (`file:l.c,l.c statements count`), each block once:
 * what `go tool cover -func` totals. `of`: count over that profile's blocks instead (a tier's figure over
 * everything measured: the unit tier writes nothing for a package without tests, such as main).
 */
export function totals(profile: string, of: string = profile): TierCoverage {
  const counted = blocks(profile)
  let statements = 0
  let covered = 0
  for (const [block, {statements: n}] of blocks(of)) {
    statements += n
    if ((counted.get(block)?.count ?? 0) > 0) covered += n
  }
  return {statements, covered, percent: statements ? Math.round((covered / statements) * 1000) / 10 : 0}
}

function blocks(profile: string): Map<string, {statements: number; count: number}> {
  const found = new Map<string, {statements: number; count: number}>()
  for (const line of profile.split('\n')) {
    const match = /^(.+:\d+\.\d+,\d+\.\d+) (\d+) (\d+)$/.exec(line)
    if (!match) continue
    const [, block = '', statements, count] = match
    found.set(block, {statements: Number(statements), count: (found.get(block)?.count ?? 0) + Number(count)})
  }
  return found
}
