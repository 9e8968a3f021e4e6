import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { FileChange } from '../changeset/types.js'
import { fixedSeverity, type FollowUp } from '../followups.js'
import type { FollowUpKind } from '../followup-catalogue.js'
import { InputError } from '../errors.js'

/** The app's own checks, in the order they run on each copy. */
export const APP_CHECK_PHASES = ['prepare', 'typecheck', 'build'] as const
export type AppCheckPhase = (typeof APP_CHECK_PHASES)[number]

/** One TypeScript error as vue-tsc prints it. */
export interface AppDiagnostic {
  file: string
  line: number
  column: number
  code: string
  message: string
}

export interface AppCheckRun {
  copy: 'original' | 'migrated'
  phase: AppCheckPhase
  /** `skipped`: the app cannot run this check (vue-tsc is not installed); said in `note`. */
  status: 'passed' | 'failed' | 'skipped'
  ms: number
  diagnostics: AppDiagnostic[]
  note?: string
  /** The last lines of the command's output when it failed. */
  tail?: string
}

/** Something the migrated copy fails that the original did not. */
export interface AppCheckFinding {
  phase: AppCheckPhase
  file: string
  line: number
  column: number
  message: string
}

export interface AppVerification {
  runs: AppCheckRun[]
  findings: AppCheckFinding[]
}

/** Runs a command in a copy; never throws. */
export type CommandRunner = (command: string, args: string[], cwd: string) => Promise<{ exitCode: number; output: string }>

export interface AppCheckOptions {
  progress(message: string): void
  run?: CommandRunner
  /** Where the scratch copies go; default a fresh temp dir, removed afterwards. */
  scratchDir?: string
}

/** Build output, caches and VCS data: neither copy needs them, and node_modules is linked, not copied. */
const NOT_COPIED = new Set(['node_modules', '.nuxt', '.output', '.git', '.data', 'dist'])

/**
 * The app's own checks (`nuxi prepare`, `nuxi typecheck`, `nuxi build`) on two scratch copies of the
 * repo, the original and the migrated one, both with the repo's installed node_modules hard-linked
 * in (a symlink breaks code that imports relative paths outside `app/`). Every type error the
 * migrated copy has that the original had not, and every check it fails that the original passed,
 * is a finding, with file:line where the check names one.
 */
export async function verifyApp(rootDir: string, changes: readonly FileChange[], options: AppCheckOptions): Promise<AppVerification> {
  requireInstalledNuxt(rootDir)
  const scratch = options.scratchDir ?? mkdtempSync(path.join(os.tmpdir(), 'tutor-sse-verify-'))
  const run = options.run ?? runCommand
  try {
    const original = path.join(scratch, 'original')
    const migrated = path.join(scratch, 'migrated')
    const linkFailure = await copyApp(rootDir, original, run) ?? await copyApp(rootDir, migrated, run)
    if (linkFailure) throw new InputError(`--verify: could not hard-link ${path.join(rootDir, 'node_modules')} into ${scratch} (${linkFailure}); put the temp dir on the same file system (TMPDIR) and run again`)
    writeChanges(migrated, changes)
    const hasVueTsc = existsSync(path.join(rootDir, 'node_modules', 'vue-tsc', 'package.json'))
    // The copies are independent: on two cores they check side by side.
    const [before, after] = await Promise.all([
      checkCopy('original', original, hasVueTsc, run, options.progress),
      checkCopy('migrated', migrated, hasVueTsc, run, options.progress),
    ])
    return { runs: [...before, ...after], findings: compareRuns(before, after) }
  } finally {
    if (!options.scratchDir) rmSync(scratch, { recursive: true, force: true })
  }
}

function requireInstalledNuxt(rootDir: string): void {
  if (existsSync(path.join(rootDir, 'node_modules', 'nuxt', 'package.json'))) return
  throw new InputError(`--verify runs the app's own checks, which need its dependencies installed: ${path.join(rootDir, 'node_modules')} has no nuxt. Install them first (npm install, pnpm install, yarn or bun install), then run again`)
}

/** A copy of the repo's files with its node_modules hard-linked in; the error when linking failed. */
async function copyApp(rootDir: string, target: string, run: CommandRunner): Promise<string | undefined> {
  mkdirSync(target, { recursive: true })
  cpSync(rootDir, target, { recursive: true, filter: (source) => source === rootDir || !NOT_COPIED.has(path.relative(rootDir, source).split(path.sep)[0]!) })
  const linked = await run('cp', ['-al', path.join(rootDir, 'node_modules'), path.join(target, 'node_modules')], target)
  return linked.exitCode === 0 ? undefined : linked.output.trim() || `cp -al exited with ${linked.exitCode}`
}

function writeChanges(dir: string, changes: readonly FileChange[]): void {
  for (const change of changes) {
    const file = path.join(dir, change.path)
    if (change.kind === 'delete') {
      rmSync(file, { force: true })
      continue
    }
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, change.text)
  }
}

async function checkCopy(copy: AppCheckRun['copy'], dir: string, hasVueTsc: boolean, run: CommandRunner, progress: (message: string) => void): Promise<AppCheckRun[]> {
  const nuxi = path.join(dir, 'node_modules', '.bin', 'nuxi')
  const runs: AppCheckRun[] = []
  for (const phase of APP_CHECK_PHASES) {
    if (phase === 'typecheck' && !hasVueTsc) {
      // nuxi would download vue-tsc; a check must not install anything.
      runs.push({ copy, phase, status: 'skipped', ms: 0, diagnostics: [], note: 'vue-tsc is not installed in the app (add vue-tsc and typescript as devDependencies to type-check)' })
      progress(`verify: ${copy}: nuxi typecheck skipped (vue-tsc is not installed)`)
      continue
    }
    const started = performance.now()
    const result = await run(nuxi, [phase], dir)
    const ms = Math.round(performance.now() - started)
    const diagnostics = phase === 'typecheck' ? parseDiagnostics(result.output, dir) : []
    const status = result.exitCode === 0 ? 'passed' : 'failed'
    runs.push({ copy, phase, status, ms, diagnostics, ...(status === 'failed' ? { tail: tailOf(result.output) } : {}) })
    progress(`verify: ${copy}: nuxi ${phase} ${status} (${(ms / 1000).toFixed(1)} s${diagnostics.length ? `, ${diagnostics.length} type errors` : ''})`)
    // Nothing after a failed prepare can run.
    if (phase === 'prepare' && status === 'failed') break
  }
  return runs
}

/**
 * `app/pages/a.vue(12,5): error TS2345: …` (plain) and `app/pages/a.vue:12:5 - error TS2345: …`
 * (pretty), with paths made relative to the copy.
 */
export function parseDiagnostics(output: string, dir: string): AppDiagnostic[] {
  const plain = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/
  const pretty = /^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$/
  const found: AppDiagnostic[] = []
  // eslint-disable-next-line no-control-regex
  for (const raw of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const match = plain.exec(raw.trim()) ?? pretty.exec(raw.trim())
    if (!match) continue
    const [, file, line, column, code, message] = match
    const relative = path.isAbsolute(file!) ? path.relative(dir, file!) : file!
    const diagnostic = { file: relative.split(path.sep).join('/'), line: Number(line), column: Number(column), code: code!, message: message!.trim() }
    // Project references check a file once per project that includes it.
    if (!found.some((d) => keyOf(d) === keyOf(diagnostic) && d.line === diagnostic.line && d.column === diagnostic.column)) found.push(diagnostic)
  }
  return found
}

/** Type errors only the migrated copy has (matched by file, code and message: lines move), and checks only it fails. */
export function compareRuns(original: readonly AppCheckRun[], migrated: readonly AppCheckRun[]): AppCheckFinding[] {
  const findings: AppCheckFinding[] = []
  for (const after of migrated) {
    const before = original.find((run) => run.phase === after.phase)
    if (after.phase === 'typecheck') {
      const known = new Map<string, number>()
      for (const d of before?.diagnostics ?? []) known.set(keyOf(d), (known.get(keyOf(d)) ?? 0) + 1)
      for (const d of after.diagnostics) {
        const left = known.get(keyOf(d)) ?? 0
        if (left > 0) {
          known.set(keyOf(d), left - 1)
          continue
        }
        findings.push({ phase: after.phase, file: d.file, line: d.line, column: d.column, message: `${d.code}: ${d.message}` })
      }
    }
    const newFailure = after.status === 'failed' && before?.status === 'passed'
    if (newFailure && !(after.phase === 'typecheck' && findings.some((f) => f.phase === 'typecheck'))) {
      findings.push({ phase: after.phase, file: '', line: 0, column: 0, message: `nuxi ${after.phase} fails on the migrated app and passed before:\n${after.tail ?? ''}` })
    }
  }
  return findings
}

const APP_CHECK_KIND = {
  prepare: 'verify/app-prepare',
  typecheck: 'verify/app-typecheck',
  build: 'verify/app-build',
} as const satisfies Record<AppCheckPhase, FollowUpKind>

/** A finding as open work at the place the check names (the repo root for a failed build). */
export function appCheckFollowUp(finding: AppCheckFinding): FollowUp {
  const kind = APP_CHECK_KIND[finding.phase]
  return {
    kind,
    transform: 'verify',
    file: finding.file || '.',
    line: finding.line || 1,
    column: finding.column || 1,
    code: '',
    severity: fixedSeverity(kind),
    reason: finding.phase === 'typecheck' ? `the migrated app has a type error the original had not: ${finding.message}` : finding.message,
    action: 'fix it by hand after applying with --force, or report it if the migration wrote this code',
  }
}

/** The message of an apply refused because the migrated copy fails the app's own checks. */
export function describeAppFindings(findings: readonly AppCheckFinding[]): string {
  return [
    `--verify: the migrated app fails ${findings.length === 1 ? 'a check' : `${findings.length} checks`} the original passed; nothing was written:`,
    ...findings.map((f) => `  ${f.file ? `${f.file}:${f.line}:${f.column}: ` : ''}${f.phase}: ${f.message.split('\n').join('\n    ')}`),
    'Run with --dry-run --verify to see the plan, or apply with --force --verify and fix these by hand.',
  ].join('\n')
}

function keyOf(d: AppDiagnostic): string {
  return `${d.file}\0${d.code}\0${d.message}`
}

function tailOf(output: string): string {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\x1b\[[0-9;]*m/g, '').trimEnd().split('\n').slice(-15).join('\n')
}

async function runCommand(command: string, args: string[], cwd: string): Promise<{ exitCode: number; output: string }> {
  const { execa } = await import('execa')
  const result = await execa(command, args, {
    cwd,
    reject: false,
    all: true,
    timeout: 15 * 60_000,
    env: { NUXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  return { exitCode: result.exitCode ?? 1, output: result.all ?? '' }
}
