/**
 * The transform phase of this build against another checkout's (`--transform-phase --baseline <dir>`):
 * both run `--dry-run --verbose` on the same generated repo, alternately (old, new, old, new, …),
 * after one untimed run of each. From each run's --verbose: every transform's wall time and the
 * phase's ("transforms … ms"); from `phase-cpu.mjs` preloaded into the tool: the process's CPU time
 * at the end of each transform. Prints medians and old ÷ new side by side; writes
 * bench/results/codemod-vs-baseline.{json,md}.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removeOnExit } from '../lib/children.js'
import { load1m, machineInfo } from '../lib/machine.js'
import { measure, type Measurement } from '../lib/measure.js'
import { markdownTable, median, round } from '../lib/stats.js'
import { generateRepo, type RepoManifest } from './generate.js'

const RUN_TIMEOUT_MS = 10 * 60_000

type Side = 'old' | 'new'

interface PhaseRun {
  /** Wall ms of each transform, as its `[<id>] <n> ms` line says. */
  transformMs: Record<string, number>
  /** Wall ms of the whole phase (the `transforms <n> ms` of the last line). */
  phaseMs: number
  /** CPU ms of the process between the end of one transform and the end of the next. */
  transformCpuMs: Record<string, number>
  /** Whole process: wall and CPU (user + system) ms. */
  wallMs: number
  cpuMs: number
}

export interface TransformPhaseOptions {
  /** Root of another checkout with its dist/ built. */
  baseline: string
  repoRoot: string
  files: number
  runs: number
  keep: boolean
  resultsDir: string
}

function parseRun(m: Measurement, cpuFile: string, manifest: RepoManifest, label: string): PhaseRun {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why} (exit ${m.exitCode})\n${m.stderrTail}`)
  }
  if (m.timedOut) fail(`killed after ${RUN_TIMEOUT_MS / 60_000} minutes`)
  if (m.exitCode !== 0 && m.exitCode !== 1) fail('failed')
  if (!manifest.socketFiles.some((file) => m.stdout.includes(file))) fail('named none of the files that use Socket.IO in its plan')
  // eslint-disable-next-line no-control-regex
  const stderr = m.stderrTail.replace(/\x1b\[[0-9;]*m/g, '')
  const ends = [...stderr.matchAll(/^\[([a-z-]+)\] (\d+) ms$/gm)]
  const phases = [...stderr.matchAll(/transforms (\d+) ms/g)]
  // a re-plan (events withdrawn by the verify stage) runs every transform twice: not comparable
  if (phases.length !== 1 || new Set(ends.map((e) => e[1])).size !== ends.length) fail('planned more than once, or printed no timings')
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as { transform: string; cpuUs: number }[]
  const transformCpuMs: Record<string, number> = {}
  cpu.forEach((end, i) => {
    const previous = cpu[i - 1]
    if (previous) transformCpuMs[end.transform] = (end.cpuUs - previous.cpuUs) / 1000
  })
  return {
    transformMs: Object.fromEntries(ends.map((e) => [e[1] as string, Number(e[2])])),
    phaseMs: Number(phases[0]?.[1]),
    transformCpuMs,
    wallMs: m.wallMs,
    cpuMs: (m.userS + m.sysS) * 1000,
  }
}

export async function compareTransformPhase(options: TransformPhaseOptions): Promise<void> {
  const bins: Record<Side, string> = {
    old: join(options.baseline, 'bin/tutor-sse-migrate.js'),
    new: join(options.repoRoot, 'bin/tutor-sse-migrate.js'),
  }
  for (const root of [options.baseline, options.repoRoot]) {
    if (!existsSync(join(root, 'dist/src/cli.js'))) throw new Error(`${root}/dist/src/cli.js is missing: run \`npm run build\` there first`)
  }
  const dir = mkdtempSync(join(tmpdir(), `sse-bench-phase-${options.files}-`))
  const cpuDir = mkdtempSync(join(tmpdir(), 'sse-bench-phase-cpu-'))
  const removeDir = options.keep ? () => undefined : removeOnExit(dir)
  const removeCpuDir = removeOnExit(cpuDir)
  const preload = join(options.repoRoot, 'bench/codemod/phase-cpu.mjs')
  const machine = machineInfo()
  try {
    const manifest = generateRepo(dir, options.files)
    console.log(`${options.files} files in ${dir}\nold: ${options.baseline}\nnew: ${options.repoRoot}`)
    const runs: Record<Side, PhaseRun[]> = { old: [], new: [] }
    // round 0 is untimed: it fills the page cache and Node's compile cache for both
    for (let round = 0; round <= options.runs; round++) {
      for (const side of ['old', 'new'] as const) {
        const cpuFile = join(cpuDir, `${side}-${round}.json`)
        const m = await measure(process.execPath, ['--import', preload, bins[side], dir, '--dry-run', '--verbose'], {
          cwd: dir,
          env: { ...process.env, BENCH_PHASE_CPU_FILE: cpuFile, NO_COLOR: '1' },
          timeoutMs: RUN_TIMEOUT_MS,
          keepStdout: true,
        })
        const run = parseRun(m, cpuFile, manifest, side)
        rmSync(cpuFile)
        if (round === 0) continue
        runs[side].push(run)
        console.log(`  run ${round}/${options.runs} ${side}: transforms ${run.phaseMs} ms (${Object.entries(run.transformMs).map(([id, ms]) => `${id} ${ms}`).join(', ')}), whole run ${(run.wallMs / 1000).toFixed(2)} s wall, ${(run.cpuMs / 1000).toFixed(2)} s CPU`)
      }
    }
    const transforms = [...new Set([...runs.old, ...runs.new].flatMap((run) => Object.keys(run.transformMs)))]
    const med = (side: Side, pick: (run: PhaseRun) => number | undefined): number => median(runs[side].map(pick).filter((v): v is number => v !== undefined))
    const row = (name: string, pick: (run: PhaseRun) => number | undefined): (string | number)[] => {
      const old = med('old', pick)
      const now = med('new', pick)
      return [name, Number.isNaN(old) ? '–' : Math.round(old), Number.isNaN(now) ? '–' : Math.round(now), Number.isNaN(old / now) ? '–' : `${round(old / now, 2)}×`]
    }
    const afterFirst = (run: PhaseRun): number => Object.values(run.transformCpuMs).reduce((a, b) => a + b, 0)
    const wallTable = markdownTable(['wall ms (median)', 'old', 'new', 'old ÷ new'], [
      ...transforms.map((id) => row(id, (run) => run.transformMs[id])),
      row('**transform phase**', (run) => run.phaseMs),
      row('whole run', (run) => run.wallMs),
    ])
    const cpuTable = markdownTable(['CPU ms (median)', 'old', 'new', 'old ÷ new'], [
      ...transforms.slice(1).map((id) => row(id, (run) => run.transformCpuMs[id])),
      row(`**transforms after ${transforms[0]}**`, afterFirst),
      row('whole run', (run) => run.cpuMs),
    ])
    const md = [
      `Run ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; ${options.files} files, ${options.runs} runs of each, alternating; 1-minute load average ${machine.loadAtStart} at the start, ${load1m()} at the end.`,
      `old: \`${options.baseline}\`, new: \`${options.repoRoot}\`.`,
      wallTable,
      `CPU: the process's CPU time from the end of the previous transform to the end of this one (so it includes the plan's bookkeeping between them; the first transform has no start mark).`,
      cpuTable,
    ].join('\n\n')
    mkdirSync(options.resultsDir, { recursive: true })
    writeFileSync(join(options.resultsDir, 'codemod-vs-baseline.json'), `${JSON.stringify({ machine, files: options.files, baseline: options.baseline, runs }, null, 2)}\n`)
    writeFileSync(join(options.resultsDir, 'codemod-vs-baseline.md'), `${md}\n`)
    console.log(`\n${md}\n\nwrote ${join(options.resultsDir, 'codemod-vs-baseline.md')} and .json`)
  } finally {
    removeDir()
    removeCpuDir()
  }
}
