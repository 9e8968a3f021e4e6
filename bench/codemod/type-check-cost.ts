/**
 * What the verify stage's type check adds to a dry-run (`--type-check-cost <repo>…`): this build and
 * a copy of it without the type check (its `findNewTypeErrors` finds nothing) run `--dry-run`
 * alternately on each repo after one untimed run of each; with `--baseline <checkout>`, that build
 * too. Prints the medians of wall and CPU time side by side and what the check adds; writes
 * bench/results/type-check-cost.{json,md}.
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
}

/** Replaces `from` in a built file, and fails when it is not there: a renamed function must not silently measure nothing. */
function patch(file: string, from: RegExp, to: string): void {
  const text = readFileSync(file, 'utf8')
  if (!from.test(text)) throw new Error(`${file}: ${from} not found; the benchmark's copy without the type check needs updating`)
  writeFileSync(file, text.replace(from, to))
}

/** A copy of this package's build without the type check. */
function buildWithoutTypeCheck(repoRoot: string): string {
  const root = mkdtempSync(join(tmpdir(), 'sse-bench-no-type-check-'))
  removeOnExit(root)
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true })
  cpSync(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true })
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'))
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'))
  symlinkSync(join(repoRoot, 'src'), join(root, 'src'))
  patch(join(root, 'dist/src/verify/type-errors.js'), /^(export function findNewTypeErrors\(.*\) \{)$/m, '$1\n    return [];')
  return root
}

async function runOnce(bin: string, repo: string, label: string): Promise<Run> {
  const m = await measure('node', [bin, repo, '--dry-run', '--verbose'], { timeoutMs: RUN_TIMEOUT_MS })
  if (m.timedOut || (m.exitCode !== 0 && m.exitCode !== 1)) throw new Error(`${label} on ${repo}: exit ${m.exitCode}\n${m.stderrTail}`)
  // eslint-disable-next-line no-control-regex
  const stderr = m.stderrTail.replace(/\x1b\[[0-9;]*m/g, '')
  if ((stderr.match(/^parsed \d+ files in all/gm) ?? []).length !== 1) throw new Error(`${label} on ${repo}: planned more than once (events withdrawn), or printed no timings`)
  const stage = /^verify: type-checked .*?(\d+) ms$/m.exec(stderr)
  return { wallMs: m.wallMs, cpuMs: (m.userS + m.sysS) * 1000, stageMs: stage ? Number(stage[1]) : undefined }
}

const percent = (value: number, base: number) => `${value >= base ? '+' : ''}${round(((value - base) / base) * 100, 0)} %`

export async function measureTypeCheckCost(options: TypeCheckCostOptions): Promise<void> {
  const builds: [string, string][] = [
    ['without', join(buildWithoutTypeCheck(options.repoRoot), 'bin/tutor-sse-migrate.js')],
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
    }]))
    results.push({ repo, medians, runs: Object.fromEntries(runs) })
    console.log(`${repo}: ${JSON.stringify(medians)}`)
  }

  const header = ['repo', 'without: wall', 'CPU', 'with: wall', 'added', 'CPU', 'added', 'stage']
  if (options.baseline) header.push(`${basename(options.baseline)}: wall`, `added (wall)`)
  const rows = results.map(({ repo, medians }) => {
    const off = medians.without!
    const seconds = (ms: number) => `${round(ms / 1000, 2)} s`
    const row = [repo, seconds(off.wallMs), seconds(off.cpuMs)]
    const on = medians.with!
    row.push(seconds(on.wallMs), percent(on.wallMs, off.wallMs), seconds(on.cpuMs), percent(on.cpuMs, off.cpuMs), `${on.stageMs ?? '?'} ms`)
    const base = medians.baseline
    if (base) row.push(seconds(base.wallMs), percent(base.wallMs, off.wallMs))
    return row
  })
  const loadAtEnd = load1m()
  const md = [
    `Measured ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; 1-minute load average ${machine.loadAtStart} at the start, ${loadAtEnd} at the end.`,
    `\`node bin/tutor-sse-migrate.js <repo> --dry-run --verbose\`, ${options.runs} runs of each build alternately after one untimed run each, medians. "without": this build with the type check taken out; "added": against "without"; "stage": the stage's own ms from \`--verbose\`.`,
    markdownTable(header, rows),
  ].join('\n\n')
  mkdirSync(options.resultsDir, { recursive: true })
  writeFileSync(join(options.resultsDir, 'type-check-cost.json'), `${JSON.stringify({ machine: { ...machine, loadAtEnd }, results }, null, 2)}\n`)
  writeFileSync(join(options.resultsDir, 'type-check-cost.md'), `${md}\n`)
  console.log(`\n${md}`)
}
