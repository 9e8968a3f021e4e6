import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { inject } from 'vitest'
import { freePort } from './ports.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's directory for the data-dir template (test/helpers/mariadb-template-root.ts). */
    mariadbTemplateRoot: string
  }
}

/** Debian's mariadb-server puts the daemon in /usr/sbin, which a non-root PATH may lack. */
function findBinary(name: string): string | undefined {
  for (const candidate of [name, `/usr/sbin/${name}`, `/usr/bin/${name}`]) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate
  }
  return undefined
}

interface Binaries {
  server: string
  install: string
  client: string
}

function findBinaries(): Binaries | undefined {
  const server = findBinary('mariadbd')
  const install = findBinary('mariadb-install-db')
  const client = findBinary('mariadb')
  return server && install && client ? { server, install, client } : undefined
}

/**
 * Skip reason when mariadb-server is missing locally; under CI a missing service fails instead.
 * Usage: `const skip = mariadbSkipReason(); describe.skipIf(skip)(...)`.
 */
export function mariadbSkipReason(): string | false {
  if (findBinaries()) return false
  if (process.env.CI === 'true') throw new Error('mariadbd, mariadb-install-db and mariadb are required under CI=true but were not all found')
  const reason = 'mariadb-server not installed (mariadbd, mariadb-install-db, mariadb): skipping MariaDB tests'
  console.warn(reason)
  return reason
}

export interface MariaDbOptions {
  /** Created empty, then filled by `sqlFiles` in order. */
  database: string
  /** An account with every privilege on `database` only, reachable over TCP from 127.0.0.1. */
  user: string
  password: string
  sqlFiles?: string[]
}

export interface MariaDbHandle {
  host: '127.0.0.1'
  port: number
  database: string
  user: string
  password: string
  /** How long the data dir setup (installed, or copied from the run's template) and the start took, in ms. */
  startupMs: { install: number, start: number }
  /** Runs statements as root over the private socket in `database`; resolves with the client's tab-separated output. */
  sql(statements: string): Promise<string>
  loadSqlFile(file: string): Promise<void>
  /** Shut down cleanly (SIGTERM, SIGKILL after `killAfterMs`) and delete the data dir. */
  stop(killAfterMs?: number): Promise<void>
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${log()}`)
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()))
}

/** The InnoDB sizes of the data dir: the same at install and at start, so the first start resizes nothing. */
const INNODB_OPTIONS = ['--innodb-buffer-pool-size=32M', '--innodb-log-file-size=16M']

async function installDataDir(binaries: Binaries, dataDir: string): Promise<void> {
  const install = await execa(binaries.install, [
    '--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve',
    ...INNODB_OPTIONS,
  ], { reject: false, all: true, timeout: 60_000 })
  if (install.exitCode !== 0) throw new Error(`mariadb-install-db failed (${install.exitCode ?? 'killed'}):\n${install.all}`)
}

/**
 * Fills `dataDir` with a freshly installed data dir. Installing takes seconds, copying a fraction of
 * that: within a test run (see mariadb-template-root.ts) the first caller installs a template and
 * every later one copies it. Workers racing to create it each install their own; one rename wins.
 */
async function prepareDataDir(binaries: Binaries, dataDir: string): Promise<void> {
  const root = inject('mariadbTemplateRoot')
  if (!root) return installDataDir(binaries, dataDir)
  const template = join(root, 'data')
  if (!existsSync(template)) {
    const building = mkdtempSync(join(root, 'building-'))
    try {
      await installDataDir(binaries, join(building, 'data'))
      renameSync(join(building, 'data'), template)
    } catch (error) {
      if (!existsSync(template)) throw error
    } finally {
      rmSync(building, { recursive: true, force: true })
    }
  }
  cpSync(template, dataDir, { recursive: true })
}

function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

function quoteName(value: string): string {
  return `\`${value.replaceAll('`', '``')}\``
}

/**
 * A private mariadbd on a free 127.0.0.1 port with its own data dir and socket, run as root (this
 * machine's tests run as root; mariadbd refuses that unless told), with `options.database` created,
 * loaded and granted to `options.user`.
 */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbHandle> {
  const binaries = findBinaries()
  if (!binaries) throw new Error('mariadb-server is not installed (see mariadbSkipReason)')
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'sse-mariadb-'))
  const dataDir = join(dir, 'data')
  const socket = join(dir, 'mariadb.sock')
  const errorLog = join(dir, 'error.log')
  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8').split('\n').slice(-20).join('\n') : '(no error log)')

  const installStarted = performance.now()
  try {
    await prepareDataDir(binaries, dataDir)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const installMs = performance.now() - installStarted

  const startStarted = performance.now()
  const child = spawn(binaries.server, [
    '--no-defaults', `--datadir=${dataDir}`, '--user=root', `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`,
    `--pid-file=${join(dir, 'mariadbd.pid')}`, `--log-error=${errorLog}`, '--skip-name-resolve', '--skip-log-bin',
    ...INNODB_OPTIONS, '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
  ], { stdio: 'ignore' })

  const client = (args: string[], input?: string) =>
    execa(binaries.client, ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', ...args], { input, reject: false, all: true, timeout: 60_000 })
  const stop = async (killAfterMs = 20_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      await exited(child)
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}:\n${log()}`)
      return (await client(['--execute=SELECT 1'])).exitCode === 0
    }, 30_000, `mariadbd on ${port}`, log)
    const startMs = performance.now() - startStarted

    const sqlIn = async (database: string | undefined, statements: string) => {
      const result = await client(database ? [`--database=${database}`] : [], statements)
      if (result.exitCode !== 0) throw new Error(`SQL failed (${result.exitCode ?? 'killed'}): ${result.all}`)
      return result.stdout
    }
    const account = `${quoteString(options.user)}@'%'`
    await sqlIn(undefined, [
      `CREATE DATABASE ${quoteName(options.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
      `CREATE USER ${account} IDENTIFIED BY ${quoteString(options.password)};`,
      `GRANT ALL PRIVILEGES ON ${quoteName(options.database)}.* TO ${account};`,
    ].join('\n'))
    const loadSqlFile = async (file: string) => {
      await sqlIn(options.database, readFileSync(file, 'utf8'))
    }
    for (const file of options.sqlFiles ?? []) await loadSqlFile(file)

    return {
      host: '127.0.0.1',
      port,
      database: options.database,
      user: options.user,
      password: options.password,
      startupMs: { install: installMs, start: startMs },
      sql: (statements) => sqlIn(options.database, statements),
      loadSqlFile,
      stop,
    }
  } catch (error) {
    await stop(5_000)
    throw error
  }
}
