import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {freePort} from './helpers.js'

/**
 * A real PostgreSQL from Debian's packages, run as a local process on a free port in a temporary folder
 * (installed by .ci/run). Password authentication over TCP, so a wrong password really fails; with
 * `{auth: 'trust'}` any password gets in, as with initdb's default and many developer setups.
 */
export interface Postgres {
  port: number
  superuser: string
  password: string
  /** postgres://superuser:password@127.0.0.1:port/postgres?sslmode=disable */
  url: string
  /** psql as `user` over TCP, with password authentication: the query's rows, trimmed. */
  psql: (user: string, password: string, sql: string) => string
  stop: () => void
}

function binDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')))
  if (!dir) throw new Error('PostgreSQL is not installed (apt-get install postgresql): the database tests need a real server')
  return dir
}


export async function startPostgres({auth = 'scram-sha-256'}: {auth?: 'scram-sha-256' | 'trust'} = {}): Promise<Postgres> {
  const bin = binDir()
  const dir = mkdtempSync(join(tmpdir(), 'vaultkit-pg-'))
  const data = join(dir, 'data')
  const password = `pg-${Math.random().toString(36).slice(2)}`
  const passwordFile = join(dir, 'pwfile')
  writeFileSync(passwordFile, `${password}\n`)
  // initdb refuses to run as root: as root the cluster belongs to the postgres user; otherwise to us.
  const root = process.getuid?.() === 0
  const run = (command: string, args: string[]) =>
    root
      ? spawnSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], {encoding: 'utf8'})
      : spawnSync(join(bin, command), args, {encoding: 'utf8'})
  const asPostgres = (command: string, args: string[]) => {
    const result = run(command, args)
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`)
  }
  if (root) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  asPostgres('initdb', ['-D', data, '-U', 'vaultadmin', `--pwfile=${passwordFile}`, `--auth-host=${auth}`, '--auth-local=trust'])
  const port = await freePort()
  asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start'])
  return {
    port,
    superuser: 'vaultadmin',
    password,
    url: `postgres://vaultadmin:${password}@127.0.0.1:${port}/postgres?sslmode=disable`,
    psql: (user, userPassword, sql) =>
      execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-tAc', sql], {
        env: {...process.env, PGPASSWORD: userPassword},
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim(),
    stop: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
