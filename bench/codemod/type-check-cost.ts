/**
 * What the verify stage's type check adds to a dry-run (`--type-check-cost <repo>…`). Three copies of
 * this build run `--dry-run` alternately on each repo after one untimed run of each: without the type
 * check (a copy of dist/ whose `findNewTypeErrors` finds nothing), with it on the main thread only
 * (its thread never starts), and as shipped (its own thread when a core is idle); with `--baseline
 * <checkout>`, that build too. Prints the medians of wall and CPU time side by side and what the check
 * adds; writes bench/results/type-check-cost.{json,md}.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { removeOnExit } from '../lib/children.js'
import { load1m, machineInfo } from '../lib/machine.js'
import { measure } from '../lib/measure.js'
import { markdownTable, median, round } from '../lib/stats.js'

const RUN_TIMEOUT_MS = 5 * 60_000

export interface TypeCheckCostOptions {
  repoRoot: string
  repos: readonly string[]
  runs: number
  /** Root of another checkout with its dist/ built, measured beside. */
  baseline?: string
  resultsDir: string
}

interface Run {
  wallMs: number
  cpuMs: number
  /** The stage's own ms, as its `--verbose` line says (none for the build without it). */
  stageMs?: number
  /** Where it checked: "a worker thread" or "the main thread" (none for builds that do not say). */
  on?: string
}

/** Replaces `from` in a built file, and fails when it is not there: a renamed function must not silently measure nothing. */
function patch(file: string, from: RegExp, to: string): void {
  const text = readFileSync(file, 'utf8')
  if (!from.test(text)) throw new Error(`${file}: ${from} not found; the benchmark's copy without the type check needs updating`)
  writeFileSync(file, text.replace(from, to))
}

/**
 * A copy of this package's build: `check: 'none'` without the type check, `check: 'main thread'` with
 * it but never on its own thread.
 */
function patchedBuild(repoRoot: string, check: 'none' | 'main thread'): string {
  const root = mkdtempSync(join(tmpdir(), `sse-bench-type-check-${check.replace(' ', '-')}-`))
  removeOnExit(root)
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true })
  cpSync(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true })
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'))
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'))
  symlinkSync(join(repoRoot, 'src'), join(root, 'src'))
  patch(join(root, 'dist/src/verify/type-thread.js'), /^(export function startTypeCheckThread\(.*\) \{)$/m, '$1\n    return;')
  if (check === 'none') patch(join(root, 'dist/src/verify/type-errors.js'), /^(export async function findNewTypeErrors\(.*\) \{)$/m, '$1\n    return [];')
  return root
}

async function runOnce(bin: string, repo: string, label: string): Promise<Run> {
  const m = await measure('node', [bin, repo, '--dry-run', '--verbose'], { timeoutMs: RUN_TIMEOUT_MS })
  if (m.timedOut || (m.exitCode !== 0 && m.exitCode !== 1)) throw new Error(`${label} on ${repo}: exit ${m.exitCode}\n${m.stderrTail}`)
  // eslint-disable-next-line no-control-regex
  const stderr = m.stderrTail.replace(/\x1b\[[0-9;]*m/g, '')
  if ((stderr.match(/^parsed \d+ files in all/gm) ?? []).length !== 1) throw new Error(`${label} on ${repo}: planned more than once (events withdrawn), or printed no timings`)
  const stage = /^verify: type-checked .*?(\d+) ms(?: \(checked on (.+)\))?$/m.exec(stderr)
  return { wallMs: m.wallMs, cpuMs: (m.userS + m.sysS) * 1000, stageMs: stage ? Number(stage[1]) : undefined, on: stage?.[2] }
}

const percent = (value: number, base: number) => `${value >= base ? '+' : ''}${round(((value - base) / base) * 100, 0)} %`

export async function measureTypeCheckCost(options: TypeCheckCostOptions): Promise<void> {
  const builds: [string, string][] = [
    ['without', join(patchedBuild(options.repoRoot, 'none'), 'bin/tutor-sse-migrate.js')],
    ['main', join(patchedBuild(options.repoRoot, 'main thread'), 'bin/tutor-sse-migrate.js')],
    ['with', join(options.repoRoot, 'bin/tutor-sse-migrate.js')],
  ]
  if (options.baseline) {
    if (!existsSync(join(options.baseline, 'dist/src/cli.js'))) throw new Error(`${options.baseline}/dist/src/cli.js is missing: run \`npm run build\` there first`)
    builds.push(['baseline', join(options.baseline, 'bin/tutor-sse-migrate.js')])
  }
  const machine = machineInfo()
  const results = []
  for (const repo of options.repos) {
    const runs = new Map<string, Run[]>(builds.map(([label]) => [label, []]))
    for (const [label, bin] of builds) await runOnce(bin, repo, label)
    for (let i = 0; i < options.runs; i++) {
      for (const [label, bin] of builds) runs.get(label)!.push(await runOnce(bin, repo, label))
    }
    const medians = Object.fromEntries([...runs].map(([label, list]) => [label, {
      wallMs: median(list.map((run) => run.wallMs)),
      cpuMs: median(list.map((run) => run.cpuMs)),
      stageMs: list.every((run) => run.stageMs !== undefined) ? median(list.map((run) => run.stageMs!)) : undefined,
      onWorker: list.filter((run) => run.on === 'a worker thread').length,
    }]))
    results.push({ repo, medians, runs: Object.fromEntries(runs) })
    console.log(`${repo}: ${JSON.stringify(medians)}`)
  }

  const header = [
    'repo', 'without: wall', 'CPU',
    'main thread: wall', 'added', 'CPU', 'added', 'stage',
    'this build: wall', 'added', 'CPU', 'added', 'stage', 'on the thread',
  ]
  if (options.baseline) header.push(`${basename(options.baseline)}: wall`, `added (wall)`)
  const rows = results.map(({ repo, medians }) => {
    const off = medians.without!
    const seconds = (ms: number) => `${round(ms / 1000, 2)} s`
    const row = [repo, seconds(off.wallMs), seconds(off.cpuMs)]
    for (const label of ['main', 'with']) {
      const on = medians[label]!
      row.push(seconds(on.wallMs), percent(on.wallMs, off.wallMs), seconds(on.cpuMs), percent(on.cpuMs, off.cpuMs), `${on.stageMs ?? '?'} ms`)
    }
    row.push(`${medians.with!.onWorker} of ${options.runs} runs`)
    const base = medians.baseline
    if (base) row.push(seconds(base.wallMs), percent(base.wallMs, off.wallMs))
    return row
  })
  const loadAtEnd = load1m()
  const md = [
    `Measured ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; 1-minute load average ${machine.loadAtStart} at the start, ${loadAtEnd} at the end.`,
    `\`node bin/tutor-sse-migrate.js <repo> --dry-run --verbose\`, ${options.runs} runs of each build alternately after one untimed run each, medians. "without": this build with the type check taken out; "main thread": with it, never on its own thread; "this build": as shipped (its own thread when a core is idle); "added": against "without"; "stage": the stage's own ms from \`--verbose\`.`,
    markdownTable(header, rows),
  ].join('\n\n')
  mkdirSync(options.resultsDir, { recursive: true })
  writeFileSync(join(options.resultsDir, 'type-check-cost.json'), `${JSON.stringify({ machine: { ...machine, loadAtEnd }, results }, null, 2)}\n`)
  writeFileSync(join(options.resultsDir, 'type-check-cost.md'), `${md}\n`)
  console.log(`\n${md}`)
}
