import { lstatSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Writable } from 'node:stream'
import kleur from 'kleur'
import { applyChanges, undoLastApply } from './changeset/apply.js'
import { renderPatch } from './changeset/patch.js'
import { uncommittedChanges } from './git/status.js'
import type { MigrationPlan } from './plan.js'
import { startPrefetch } from './project/prefetch.js'
import { detectPackageManager, installCommand, type PackageManager } from './pm/detect.js'
import { InputError, MigrationError } from './errors.js'
import { isOpen, plural } from './report/format.js'
import { githubAnnotations } from './report/github.js'
import { renderDryRun, renderFollowUps, renderSummary } from './report/human.js'
import { buildJsonReport, type RunMode, type RunResult } from './report/json.js'
import type { Transform } from './transform.js'
import { appCheckFollowUp, describeAppFindings, verifyApp, type AppVerification } from './verify/app-checks.js'

export interface RunOptions {
  dir: string
  dryRun?: boolean
  /** File to write the git patch to; `-` for stdout. */
  patch?: string
  check?: boolean
  /** true: the JSON report goes to stdout (human output moves to stderr); a string: to that file. */
  json?: string | true
  reporter?: 'github'
  only?: string[]
  skip?: string[]
  allowDirty?: boolean
  /** Keep a plan the verify stage finds unrunnable, its findings listed as follow-ups. */
  force?: boolean
  /** Run the app's own checks on scratch copies before and after the migration. */
  verify?: boolean
  install?: boolean
  packageManager?: PackageManager
  verbose?: boolean
  undo?: boolean
  configFile?: string
  roomPrefixes?: string[]
}

/** Where a run talks to, and the seams in-process callers (tests) may replace. */
export interface RunEnvironment {
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean }
  version: string
  /** Replaces the transform registry (in-process tests only; the CLI always uses the registry). */
  transforms?: readonly Transform[]
}

export const EXIT = { ok: 0, workLeft: 1, badInput: 2, failed: 3 } as const

function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`)
}

/** Prints "scanned N files" on a TTY once a run has taken more than a second. */
function progressLine(stream: RunEnvironment['stderr']): { update(text: string): void; clear(): void } {
  const started = performance.now()
  let shown = false
  return {
    update(text) {
      if (!stream.isTTY || performance.now() - started < 1000) return
      stream.write(`\r\x1b[2K${kleur.dim(text)}`)
      shown = true
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K')
      shown = false
    },
  }
}

function modeOf(options: RunOptions): RunMode {
  if (options.check) return 'check'
  if (options.dryRun) return 'dry-run'
  if (options.patch !== undefined) return 'patch'
  return 'apply'
}

function fileMode(rootDir: string) {
  return (relPath: string): string => {
    try {
      return lstatSync(path.join(rootDir, relPath)).mode & 0o111 ? '100755' : '100644'
    } catch {
      return '100644'
    }
  }
}

async function runUndo(options: RunOptions, out: Writable): Promise<number> {
  const rootDir = path.resolve(options.dir)
  const restored = undoLastApply(rootDir)
  if (!restored) throw new InputError(`${options.dir}: nothing to undo (no journal from a previous apply)`)
  for (const change of restored) line(out, `${change.kind === 'delete' ? 'removed' : 'restored'} ${change.path}`)
  line(out, kleur.green(`undo: ${plural(restored.length, 'file')} back as they were before the migration`))
  if (restored.some((change) => change.path === 'package.json')) {
    // The journal covers the files the tool wrote, not what the package manager did afterwards.
    line(out, `package.json is restored; run ${installCommand(detectPackageManager(rootDir).name).join(' ')} to bring the lockfile and node_modules back in line`)
  }
  return EXIT.ok
}

/** Runs the package-manager step after the files are written; its output goes to stderr. */
async function runPackageManager(plan: MigrationPlan, env: RunEnvironment, verbose: boolean): Promise<boolean> {
  const [command, ...args] = plan.packageManagerCommand!
  line(env.stderr, kleur.dim(`running ${plan.packageManagerCommand!.join(' ')}`))
  // Loaded only when installing: most runs (dry-run, check, patch) never start a process.
  const { execa } = await import('execa')
  const result = await execa(command!, args, { cwd: plan.repo.layout.rootDir, reject: false, all: true })
  if (verbose || result.exitCode !== 0) line(env.stderr, result.all ?? '')
  return result.exitCode === 0
}

/** load → analyse → plan → dry-run | patch | check | apply → report. Returns the exit code. */
export async function run(options: RunOptions, env: RunEnvironment): Promise<number> {
  const started = performance.now()
  const mode = modeOf(options)
  // stdout carries the machine output when one was asked for there; the human output moves to stderr.
  const out = options.json === true || options.patch === '-' ? env.stderr : env.stdout
  const verbose = (message: string): void => {
    if (options.verbose) line(env.stderr, kleur.dim(message))
  }
  let plan: MigrationPlan | undefined
  let appChecks: AppVerification | undefined
  let applyMs = 0
  let packageManagerRan = false
  const finish = (exitCode: number, result: RunResult, error?: string): number => {
    if (options.json !== undefined) {
      const report = buildJsonReport({
        version: env.version,
        mode,
        result,
        exitCode,
        plan,
        packageManagerRan,
        applyMs,
        appChecks,
        totalMs: performance.now() - started,
        error,
      })
      const text = `${JSON.stringify(report, null, 2)}\n`
      if (options.json === true) env.stdout.write(text)
      else writeFileSync(options.json, text)
    }
    return exitCode
  }
  const progress = progressLine(env.stderr)
  try {
    if (options.undo) return await runUndo(options, out)
    // Reading the repo starts before the analysis code (ts-morph, TypeScript, the Vue compiler) loads.
    const prefetched = startPrefetch(options.dir)
    const { planMigration } = await import('./plan.js')
    plan = await planMigration(options.dir, {
      prefetched: await prefetched,
      only: options.only,
      skip: options.skip,
      config: { configFile: options.configFile, roomPrefixes: options.roomPrefixes },
      transforms: env.transforms,
      packageManager: options.packageManager,
      force: options.force,
      verbose,
      onProgress: ({ scanned, parsed }) => progress.update(`scanned ${scanned} files, parsed ${parsed}`),
      onStage: (stage) => progress.update(stage),
    })
    progress.clear()
    const hasChanges = plan.changes.length > 0
    if (options.verify && hasChanges) {
      appChecks = await verifyApp(plan.repo.layout.rootDir, plan.changes, { progress: (message) => line(env.stderr, kleur.dim(message)) })
      plan.followUps.push(...appChecks.findings.map(appCheckFollowUp))
      if (appChecks.findings.length > 0 && mode === 'apply' && !options.force) throw new MigrationError(describeAppFindings(appChecks.findings))
    }
    const openFollowUps = plan.followUps.filter(isOpen)

    // Written even when empty, so a CI step that publishes the patch always finds the file.
    if (options.patch !== undefined) {
      const patch = renderPatch(plan.changes, fileMode(plan.repo.layout.rootDir))
      if (options.patch === '-') env.stdout.write(patch)
      else {
        writeFileSync(options.patch, patch)
        line(out, `patch written to ${options.patch} (${plural(plan.changes.length, 'file')}${hasChanges ? '; apply with git apply' : ': nothing to change'})`)
      }
    }
    if (!hasChanges && plan.followUps.length === 0) {
      line(out, plan.model.usesSocketIO ? 'already migrated: nothing to do' : 'nothing to migrate: this repo does not use Socket.IO')
      return finish(EXIT.ok, plan.model.usesSocketIO ? 'up-to-date' : 'nothing-to-migrate')
    }
    if (options.dryRun) line(out, renderDryRun(plan))

    let exitCode: number = EXIT.ok
    let result: RunResult = hasChanges ? 'planned' : plan.nothingMigrated ? 'nothing-migrated' : 'up-to-date'
    if (mode === 'check') {
      exitCode = hasChanges || openFollowUps.length > 0 ? EXIT.workLeft : EXIT.ok
      result = exitCode ? 'needs-work' : 'up-to-date'
      if (hasChanges) line(out, `check: ${plural(plan.changes.length, 'file')} still need changes: ${plan.changes.map((c) => c.path).join(', ')}`)
    } else if (mode === 'apply' && hasChanges) {
      if (!options.allowDirty) {
        const dirty = await uncommittedChanges(plan.repo.layout.rootDir)
        if (dirty?.length) {
          throw new InputError(
            `the git working tree has uncommitted changes; commit or stash them first, or pass --allow-dirty:\n  ${dirty.join('\n  ')}`,
          )
        }
      }
      const applyStart = performance.now()
      applyChanges(plan.repo.layout.rootDir, plan.changes)
      applyMs = performance.now() - applyStart
      result = 'applied'
      for (const change of plan.changes) verbose(`${change.kind} ${change.path}`)
      if (plan.packageManagerCommand) {
        if (options.install === false) {
          line(out, `skipped the package-manager step (--no-install); run: ${plan.packageManagerCommand.join(' ')}`)
        } else {
          packageManagerRan = await runPackageManager(plan, env, Boolean(options.verbose))
          if (!packageManagerRan) {
            line(env.stderr, kleur.red(`the files were migrated, but ${plan.packageManagerCommand.join(' ')} failed: run it yourself`))
            exitCode = EXIT.workLeft
          }
        }
      }
    }

    const followUps = renderFollowUps(plan.followUps)
    if (followUps) line(out, followUps)
    if (options.reporter === 'github' && plan.followUps.length > 0) {
      // Workflow commands are read from stdout, unless stdout carries the JSON report or the patch.
      line(out === env.stderr ? env.stderr : env.stdout, githubAnnotations(plan.followUps))
    }
    line(out, renderSummary(plan, { applied: mode === 'apply', totalMs: performance.now() - started }))
    if (plan.nothingMigrated) {
      line(out, kleur.yellow('nothing was migrated: no part of the app can move to SSE yet, so the SSE runtime was not added and every file is as it was; the follow-ups above say what keeps each part on Socket.IO'))
    }
    if (mode === 'apply' && hasChanges) line(out, kleur.dim('undo with: tutor-sse-migrate --undo'))
    return finish(exitCode, result)
  } catch (error) {
    progress.clear()
    const exitCode = error instanceof InputError ? EXIT.badInput : EXIT.failed
    const message = error instanceof Error ? error.message : String(error)
    const known = error instanceof InputError || error instanceof MigrationError
    line(env.stderr, kleur.red(`error: ${known ? message : `unexpected failure: ${message}`}`))
    if (exitCode === EXIT.failed) line(env.stderr, 'nothing was written')
    if (options.verbose && error instanceof Error) line(env.stderr, kleur.dim(String((error.cause as Error | undefined)?.stack ?? error.stack)))
    return finish(exitCode, 'failed', message)
  }
}
