/**
 * Corpus runner: applies the built tool to fresh copies of real apps on disk and checks what it
 * left, one line per app. A tool for us, run by hand (CI has no network to get the apps); the apps we
 * study are listed in scripts/corpus/apps.txt, the last results are in the README.
 *
 *   npm run build && npx tsx scripts/corpus.ts [--markdown] [--keep] [--verbose] <git-dir[@commit] | folder>...
 *
 * A git directory (`…/repo.git`, a bare mirror) is exported at HEAD or at `@commit`; a folder is
 * copied without node_modules, .git, .nuxt and .output. Each copy is migrated with
 * `--allow-dirty --no-install --json`, then checked:
 *   - parse: every created or changed code file, .vue script and package.json still parses;
 *   - names: no name in a changed file that nothing declares, imports or auto-imports, unless the
 *     same file already used it so before;
 *   - leftovers: every file that still imports socket.io, socket.io-client, @socket.io/* or
 *     engine.io is named by a follow-up;
 *   - moved: how many of the files that used Socket.IO (imported it, or called a socket's API) no
 *     longer do (import it, or call what only Socket.IO has: the SSE handle has on/off too);
 *   - follow-ups by kind, and the time the run took.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { platformNames } from '../src/verify/known-names.js'
import { materialise, SKIPPED_DIRS } from './corpus/materialise.js'
import { undeclaredNames } from './corpus/names.js'
import { CODE_FILE, parseError } from './corpus/scripts.js'
import { autoImportedNames, filesUsingSocketIO, importsSocketIO, stillUsesSocketIO } from './corpus/socket-usage.js'

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(project, 'bin/tutor-sse-migrate.js')
const RUN_TIMEOUT_MS = 10 * 60_000
const MAX_TEXT_BYTES = 2 * 1024 * 1024

interface FollowUp { kind: string; file: string; line: number; severity?: string }
interface Report { exitCode: number; followUps: FollowUp[]; error: { message: string } | null }

interface AppResult {
  app: string
  exitCode: number
  message: string
  ms: number
  changed: number
  parseFailures: string[]
  unresolved: string[]
  unreportedImports: string[]
  usedBefore: number
  /** Files that used Socket.IO before and still do. */
  stillUsing: string[]
  followUps: Map<string, number>
}

/** Every text file of the tree (by path relative to `root`), skipping build output and dependencies. */
function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED_DIRS.has(entry.name)) continue
      const full = join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile() && statSync(full).size <= MAX_TEXT_BYTES) {
        const bytes = readFileSync(full)
        if (!bytes.includes(0)) files.set(relative(root, full), bytes.toString('utf8'))
      }
    }
  }
  walk(root)
  return files
}

function appName(input: string): string {
  const path = input.replace(/@[0-9a-f]{4,40}$/, '').replace(/\/+$/, '')
  const parts = path.split('/').filter((part) => part && part !== 'repo' && part !== '.git')
  return (parts.at(-1) ?? path).replace(/\.git$/, '').replace('+', '/')
}

async function libraryNames(): Promise<Set<string>> {
  const [h3, vue] = await Promise.all([import('h3'), import('vue')])
  return new Set([...Object.keys(h3), ...Object.keys(vue), ...platformNames()])
}

async function runApp(input: string, known: ReadonlySet<string>, keep: boolean): Promise<AppResult> {
  const work = mkdtempSync(join(tmpdir(), 'corpus-'))
  const copy = join(work, 'app')
  const started = performance.now()
  try {
    materialise(input, copy)
    const before = readTree(copy)
    const reportPath = join(work, 'report.json')
    const run = await execa('node', [bin, copy, '--allow-dirty', '--no-install', '--no-color', '--json', reportPath], { reject: false, timeout: RUN_TIMEOUT_MS, all: true })
    const ms = performance.now() - started
    const after = readTree(copy)
    const report: Report | undefined = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) as Report : undefined

    const changed = [...after].filter(([path, text]) => before.get(path) !== text).map(([path]) => path)
    const parseFailures = changed
      .filter((path) => CODE_FILE.test(path) || basename(path) === 'package.json')
      .flatMap((path) => {
        const error = parseError(path, after.get(path) ?? '')
        return error ? [`${path}:${error}`] : []
      })

    const changedCode = changed.filter((path) => CODE_FILE.test(path))
    const pick = (tree: Map<string, string>) => new Map(changedCode.filter((path) => tree.has(path)).map((path) => [path, tree.get(path) ?? '']))
    const namesAfter = undeclaredNames(pick(after))
    const namesBefore = undeclaredNames(pick(before))
    const available = new Set([...known, ...autoImportedNames(after)])
    const unresolved = [...namesAfter].flatMap(([path, names]) => {
      const earlier = namesBefore.get(path) ?? new Set<string>()
      const left = [...names].filter((name) => !earlier.has(name) && !available.has(name))
      return left.length > 0 ? [`${path}: ${left.join(', ')}`] : []
    })

    const reported = new Set((report?.followUps ?? []).map((followUp) => followUp.file))
    // A run that wrote nothing left the app as it was: its imports are the app's, not leftovers.
    const unreportedImports = [...after]
      .filter(([path, text]) => changed.length > 0 && CODE_FILE.test(path) && importsSocketIO(text) && !reported.has(path))
      .map(([path]) => path)
    const usedBefore = filesUsingSocketIO(before, (path) => CODE_FILE.test(path))
    // A run that wrote nothing left every file on Socket.IO; otherwise each is judged by what it calls
    // now (a listener on a socket that became the SSE handle is not Socket.IO any more).
    const usedAfter = usedBefore.filter((path) => after.has(path) && (changed.length === 0 || stillUsesSocketIO(after.get(path) ?? '')))

    const followUps = new Map<string, number>()
    for (const followUp of report?.followUps ?? []) followUps.set(followUp.kind, (followUps.get(followUp.kind) ?? 0) + 1)
    const output = run.all ?? ''
    const message = run.exitCode === 0 ? '' : (report?.error?.message ?? output.split('\n').find((line) => line.trim()) ?? (run.timedOut ? 'timed out' : ''))
    return {
      app: appName(input),
      exitCode: run.exitCode ?? -1,
      message,
      ms,
      changed: changed.length + [...before.keys()].filter((path) => !after.has(path)).length,
      parseFailures,
      unresolved,
      unreportedImports,
      usedBefore: usedBefore.length,
      stillUsing: usedAfter,
      followUps,
    }
  } finally {
    if (keep) console.error(`kept ${copy}`)
    else rmSync(work, { recursive: true, force: true })
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${Math.round((part / whole) * 100)} %`
}

function kinds(result: AppResult): string {
  return [...result.followUps].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind}×${n}`).join(' ') || 'none'
}

function line(result: AppResult, verbose: boolean): string {
  const moved = result.usedBefore - result.stillUsing.length
  const details = [
    ...result.parseFailures.map((failure) => `    does not parse: ${failure}`),
    ...result.unresolved.map((names) => `    unresolved: ${names}`),
    ...result.unreportedImports.map((path) => `    imports Socket.IO, no follow-up: ${path}`),
    ...(verbose && result.stillUsing.length ? [`    still on Socket.IO: ${result.stillUsing.join(', ')}`] : []),
    ...(result.message ? [`    exit ${result.exitCode}: ${result.message.slice(0, 300)}`] : []),
  ]
  return [
    `${result.app.padEnd(32)} exit ${result.exitCode}  changed ${result.changed}  parse ${result.parseFailures.length ? `${result.parseFailures.length} FAIL` : 'ok'}`
      + `  names ${result.unresolved.length ? `${result.unresolved.length} FAIL` : 'ok'}`
      + `  leftovers ${result.changed === 0 ? 'untouched' : result.unreportedImports.length ? `${result.unreportedImports.length} unreported` : 'reported'}`
      + `  moved ${moved}/${result.usedBefore} (${percent(moved, result.usedBefore)})  ${(result.ms / 1000).toFixed(1)} s`,
    `    follow-ups: ${kinds(result)}`,
    ...details,
  ].join('\n')
}

function markdown(results: AppResult[]): string {
  const rows = results.map((r) => `| ${r.app} | ${r.exitCode} | ${r.parseFailures.length ? `**${r.parseFailures.length} fail**` : 'ok'} | ${r.unresolved.length ? `**${r.unresolved.length} files**` : 'ok'} | ${r.changed === 0 ? 'untouched' : r.unreportedImports.length ? `**${r.unreportedImports.length} unreported**` : 'all reported'} | ${r.usedBefore - r.stillUsing.length} / ${r.usedBefore} | ${[...r.followUps.values()].reduce((a, b) => a + b, 0)} | ${(r.ms / 1000).toFixed(1)} s |`)
  return ['| app | exit | parse | names | Socket.IO imports left | files moved off Socket.IO | follow-ups | time |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { markdown: { type: 'boolean' }, keep: { type: 'boolean' }, verbose: { type: 'boolean' } } })
  if (positionals.length === 0) throw new Error('give one or more apps: a git directory (optionally @commit) or a folder')
  if (!existsSync(join(project, 'dist'))) throw new Error('run `npm run build` first: the runner uses the built CLI')
  const known = await libraryNames()
  const results: AppResult[] = []
  for (const input of positionals) {
    try {
      const result = await runApp(input, known, values.keep ?? false)
      results.push(result)
      console.log(line(result, values.verbose ?? false))
    } catch (error) {
      console.log(`${appName(input).padEnd(32)} RUNNER ERROR ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const before = results.reduce((n, r) => n + r.usedBefore, 0)
  const moved = results.reduce((n, r) => n + r.usedBefore - r.stillUsing.length, 0)
  console.log(`\n${results.length} apps: files moved off Socket.IO ${moved}/${before} (${percent(moved, before)}); `
    + `parse failures ${results.reduce((n, r) => n + r.parseFailures.length, 0)}, files with unresolved names ${results.reduce((n, r) => n + r.unresolved.length, 0)}, `
    + `unreported Socket.IO imports ${results.reduce((n, r) => n + r.unreportedImports.length, 0)}`)
  if (values.markdown) console.log(`\n${markdown(results)}`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
