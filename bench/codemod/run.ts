/**
 * Codemod benchmark: on the same synthetic repo, in the same run,
 *   (a) `tutor-sse-migrate --dry-run` (the real bin),
 *   (b) jscodeshift running a transform that only parses every file (parse-only.cjs),
 *   (c) the floor: fast-glob + read every byte (floor.mjs).
 * Runs are interleaved (a, b, c, a, b, c, ...) after one untimed floor run that fills the page
 * cache, so caches and machine load treat the three alike. Writes bench/results/codemod.{json,svg,md}.
 *
 *   npx tsx bench/codemod/run.ts [--sizes 1000,5000,20000] [--runs 5,3,3] [--no-profile] [--keep]
 *   npx tsx bench/codemod/run.ts --sizes 5000 --profile-only    (where does (a)'s time go? → results/codemod-profile.md)
 *   npx tsx bench/codemod/run.ts --transform-phase --baseline <checkout> [--sizes 20000] [--runs 5]
 *     (the transform phase of this build against another's → results/codemod-vs-baseline.md)
 *   npx tsx bench/codemod/run.ts --type-check-cost [--runs 8] [--baseline <checkout>] <repo>…
 *     (what the verify stage's type check adds to a dry-run of each repo → results/type-check-cost.md)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { killAll, removeOnExit } from '../lib/children.js'
import { load1m, machineInfo } from '../lib/machine.js'
import { measure, type Measurement } from '../lib/measure.js'
import { markdownTable, median, round } from '../lib/stats.js'
import { chartSvg } from '../lib/svg.js'
import { generateRepo, type RepoManifest } from './generate.js'
import { summariseCpuProfile, type ProfileSummary } from './profile.js'
import { compareTransformPhase } from './transform-phase.js'
import { measureTypeCheckCost } from './type-check-cost.js'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')
const resultsDir = join(repoRoot, 'bench/results')
const RUN_TIMEOUT_MS = 10 * 60_000

const TARGETS = { toolOverFloorAt20k: 2, jscodeshiftOverTool: 10, toolMemOverFloorMem: 1.5, linearity20kOver5k: 4.5 }

type ToolId = 'tool' | 'jscodeshift' | 'floor'
const TOOLS: ToolId[] = ['tool', 'jscodeshift', 'floor']
const LABEL: Record<ToolId, string> = {
  tool: '(a) tutor-sse-migrate --dry-run',
  jscodeshift: '(b) jscodeshift parse-only',
  floor: '(c) floor: fast-glob + read',
}

function commandFor(tool: ToolId, dir: string): [string, string[]] {
  switch (tool) {
    case 'tool': return [process.execPath, [join(repoRoot, 'bin/tutor-sse-migrate.js'), dir, '--dry-run']]
    case 'floor': return [process.execPath, [join(here, 'floor.mjs'), dir]]
    case 'jscodeshift': return [process.execPath, [
      join(repoRoot, 'node_modules/jscodeshift/bin/jscodeshift.js'),
      '-t', join(here, 'parse-only.cjs'), '--no-babel', '--parser=tsx', '--extensions=ts,js,mts,mjs,vue',
      '--dry', '--ignore-pattern=**/node_modules/**', '--ignore-pattern=**/.nuxt/**', '--ignore-pattern=**/.output/**', dir,
    ]]
  }
}

/** A measured run must have done the work it claims, or its time means nothing. */
function check(tool: ToolId, m: Measurement, manifest: RepoManifest): void {
  const fail = (why: string): never => {
    throw new Error(`${LABEL[tool]} ${why} (exit ${m.exitCode})\n${m.stderrTail}\n${m.stdout.slice(-2000)}`)
  }
  if (m.timedOut) fail(`was killed after ${RUN_TIMEOUT_MS / 60_000} minutes`)
  if (tool === 'floor') {
    const out = JSON.parse(m.stdout) as { files: number; bytes: number }
    if (out.files !== manifest.files || out.bytes !== manifest.bytes) fail(`read ${out.files} files / ${out.bytes} B, expected ${manifest.files} / ${manifest.bytes}`)
  } else if (tool === 'jscodeshift') {
    const unmodified = /(\d+) unmodified/.exec(m.stdout)
    const errors = /(\d+) errors/.exec(m.stdout)
    if (m.exitCode !== 0 || Number(unmodified?.[1]) !== manifest.files || Number(errors?.[1]) !== 0) {
      fail(`parsed ${unmodified?.[1]} files with ${errors?.[1]} errors, expected ${manifest.files} and 0`)
    }
  } else {
    // dry-run exits 0, or 1 when it has changes to propose; anything else is a crash
    if (m.exitCode !== 0 && m.exitCode !== 1) fail('failed')
    // it must have found the Socket.IO code, or its time says nothing about a real migration
    if (!manifest.socketFiles.some((file) => m.stdout.includes(file))) fail('named none of the files that use Socket.IO in its plan')
  }
}

interface SizeResult {
  files: number
  bytes: number
  socketFiles: number
  runs: Record<ToolId, Measurement[]>
  median: Record<ToolId, { wallMs: number; peakRssMiB: number; treePeakRssMiB: number; filesPerS: number; cpuS: number }>
  ratios: { toolOverFloor: number; jscodeshiftOverTool: number; toolMemOverFloorMem: number }
  /** Why (a) has no figures at this size: its run failed (the peers are still measured). */
  toolFailure?: string
}

async function benchSize(files: number, runs: number, keep: boolean): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), `sse-bench-repo-${files}-`))
  const remove = keep ? () => undefined : removeOnExit(dir)
  try {
    const manifest = generateRepo(dir, files)
    console.log(`\n${files} files (${(manifest.bytes / 2 ** 20).toFixed(1)} MiB, ${manifest.socketFiles.length} using Socket.IO) in ${dir}`)
    const all: Record<ToolId, Measurement[]> = { tool: [], jscodeshift: [], floor: [] }
    // Warm-up: one untimed floor run brings every file into the page cache for all three.
    check('floor', await measure(...commandFor('floor', dir), { cwd: dir, timeoutMs: RUN_TIMEOUT_MS, keepStdout: true }), manifest)
    let toolFailure: string | undefined
    for (let run = 1; run <= runs; run++) {
      for (const tool of TOOLS) {
        if (tool === 'tool' && toolFailure) continue
        const m = await measure(...commandFor(tool, dir), { cwd: dir, timeoutMs: RUN_TIMEOUT_MS, keepStdout: true })
        try {
          check(tool, m, manifest)
        } catch (error) {
          if (tool !== 'tool') throw error
          // a crash of the tool is a result too: record it, keep measuring the peers
          toolFailure = (error instanceof Error ? error.message : String(error)).split('\n').filter(Boolean).slice(0, 3).join(' / ')
          console.log(`  run ${run}/${runs} ${LABEL[tool]} FAILED: ${toolFailure}`)
          continue
        }
        m.stdout = ''
        all[tool].push(m)
        console.log(`  run ${run}/${runs} ${LABEL[tool].padEnd(34)} ${(m.wallMs / 1000).toFixed(2)} s  ${(m.treePeakRssKiB / 1024).toFixed(0)} MiB`)
      }
    }
    const med = Object.fromEntries(TOOLS.map((tool) => {
      const wallMs = median(all[tool].map((m) => m.wallMs))
      return [tool, {
        wallMs: round(wallMs, 1),
        peakRssMiB: round(median(all[tool].map((m) => m.peakRssKiB)) / 1024, 1),
        treePeakRssMiB: round(median(all[tool].map((m) => m.treePeakRssKiB)) / 1024, 1),
        filesPerS: Math.round(files / (wallMs / 1000)),
        cpuS: round(median(all[tool].map((m) => m.userS + m.sysS)), 2),
      }]
    })) as SizeResult['median']
    return {
      toolFailure,
      files,
      bytes: manifest.bytes,
      socketFiles: manifest.socketFiles.length,
      runs: all,
      median: med,
      ratios: {
        toolOverFloor: round(med.tool.wallMs / med.floor.wallMs, 2),
        jscodeshiftOverTool: round(med.jscodeshift.wallMs / med.tool.wallMs, 2),
        toolMemOverFloorMem: round(med.tool.peakRssMiB / med.floor.peakRssMiB, 2),
      },
    }
  } finally {
    remove()
  }
}

/** One profiled run of the tool on the largest repo: where does its time go? */
async function profileTool(files: number): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), `sse-bench-profile-${files}-`))
  const profDir = mkdtempSync(join(tmpdir(), 'sse-bench-cpuprof-'))
  const removeDir = removeOnExit(dir)
  const removeProfDir = removeOnExit(profDir)
  try {
    generateRepo(dir, files)
    const m = await measure(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, join(repoRoot, 'bin/tutor-sse-migrate.js'), dir, '--dry-run'], { cwd: dir, timeoutMs: RUN_TIMEOUT_MS })
    const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
    if (!prof) throw new Error(`no CPU profile written (exit ${m.exitCode})\n${m.stderrTail}`)
    return summariseCpuProfile(join(profDir, prof), repoRoot)
  } finally {
    removeDir()
    removeProfDir()
  }
}

function report(results: SizeResult[]): { table: string; targets: { name: string; target: string; measured: number; met: boolean }[] } {
  const rows = results.flatMap((r) => TOOLS.map((tool) => tool === 'tool' && r.toolFailure ? [
    r.files.toLocaleString('en-US'), LABEL[tool], `**failed**: ${r.toolFailure.replace(/\|/g, '\\|')}`, '–', '–', '–',
  ] : [
    r.files.toLocaleString('en-US'),
    LABEL[tool],
    (r.median[tool].wallMs / 1000).toFixed(2),
    tool === 'jscodeshift' ? `${r.median[tool].treePeakRssMiB} (all processes)` : r.median[tool].peakRssMiB,
    r.median[tool].filesPerS.toLocaleString('en-US'),
    tool === 'tool' ? `a/c ${r.ratios.toolOverFloor}, mem a/c ${r.ratios.toolMemOverFloorMem}` : tool === 'jscodeshift' && !r.toolFailure ? `b/a ${r.ratios.jscodeshiftOverTool}` : '',
  ]))
  const table = markdownTable(['files', 'run', 'wall s (median)', 'peak RSS MiB', 'files/s', 'ratios'], rows)
  const largest = results[results.length - 1] as SizeResult
  const at5k = results.find((r) => r.files === 5000)
  const targets = [
    { name: `a/c at ${largest.files} files`, target: `≤ ${TARGETS.toolOverFloorAt20k}`, measured: largest.ratios.toolOverFloor, met: largest.ratios.toolOverFloor <= TARGETS.toolOverFloorAt20k },
    ...results.map((r) => ({ name: `b/a at ${r.files} files`, target: `≥ ${TARGETS.jscodeshiftOverTool}`, measured: r.ratios.jscodeshiftOverTool, met: r.ratios.jscodeshiftOverTool >= TARGETS.jscodeshiftOverTool })),
    ...results.map((r) => ({ name: `peak memory a/c at ${r.files} files`, target: `≤ ${TARGETS.toolMemOverFloorMem}`, measured: r.ratios.toolMemOverFloorMem, met: r.ratios.toolMemOverFloorMem <= TARGETS.toolMemOverFloorMem })),
  ]
  if (at5k && largest.files !== 5000) {
    const linearity = round(largest.median.tool.wallMs / at5k.median.tool.wallMs, 2)
    targets.push({ name: `a time ${largest.files}/5000`, target: `≤ ${TARGETS.linearity20kOver5k}`, measured: linearity, met: linearity <= TARGETS.linearity20kOver5k })
  }
  return { table, targets }
}

function profileMarkdown(profile: ProfileSummary, files: number): string {
  return [
    `CPU profile of (a) at ${files} files (${profile.totalMs} ms sampled), self time by module:`,
    markdownTable(['module', 'self ms', '%'], profile.byModule.map((m) => [m.module, m.selfMs, m.pct])),
    'Top functions by self time:',
    markdownTable(['function', 'self ms', '%'], profile.topFunctions.map((f) => [`\`${f.fn}\``, f.selfMs, f.pct])),
    'Time (without GC and idle) charged to the innermost function of the tool\'s own code on the stack:',
    markdownTable(['tool function', 'ms', '%'], profile.byOwnCaller.map((f) => [`\`${f.fn}\``, f.ms, f.pct])),
  ].join('\n\n')
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sizes: { type: 'string', default: '1000,5000,20000' },
      runs: { type: 'string' },
      'no-profile': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'profile-only': { type: 'boolean', default: false },
      'transform-phase': { type: 'boolean', default: false },
      'type-check-cost': { type: 'boolean', default: false },
      baseline: { type: 'string' },
    },
  })
  const sizes = values.sizes.split(',').map(Number)
  const runs = (values.runs ?? (values['transform-phase'] ? '5' : '5,3,3')).split(',').map(Number)
  if (!existsSync(join(repoRoot, 'dist/src/cli.js'))) throw new Error('dist/src/cli.js is missing: run `npm run build` first')
  if (values['type-check-cost']) {
    if (positionals.length === 0) throw new Error('--type-check-cost needs the repos to run on (e.g. fixtures/tutor-school/before)')
    await measureTypeCheckCost({ repoRoot, repos: positionals.map((repo) => resolve(repo)), runs: Number(values.runs ?? 8), baseline: values.baseline && resolve(values.baseline), resultsDir })
    return
  }
  if (values['transform-phase']) {
    if (!values.baseline) throw new Error('--transform-phase needs --baseline <root of another checkout, built>')
    const files = sizes[sizes.length - 1] as number
    await compareTransformPhase({ baseline: resolve(values.baseline), repoRoot, files, runs: runs[runs.length - 1] ?? 5, keep: values.keep, resultsDir })
    return
  }
  if (values['profile-only']) {
    const md = `Profiled ${new Date().toISOString()} (1-minute load average ${load1m()}).\n\n${profileMarkdown(await profileTool(sizes[sizes.length - 1] as number), sizes[sizes.length - 1] as number)}\n`
    mkdirSync(resultsDir, { recursive: true })
    writeFileSync(join(resultsDir, 'codemod-profile.md'), md)
    console.log(md)
    return
  }
  const machine = machineInfo()
  const results: SizeResult[] = []
  for (const [i, size] of sizes.entries()) results.push(await benchSize(size, runs[i] ?? runs[runs.length - 1] ?? 3, values.keep))
  const { table, targets } = report(results)
  const missed = targets.filter((t) => !t.met)
  const largestFailed = Boolean(results[results.length - 1]?.toolFailure)
  const profile = missed.length > 0 && !values['no-profile'] && !largestFailed ? await profileTool(sizes[sizes.length - 1] as number) : undefined

  const loadAtEnd = load1m()
  mkdirSync(resultsDir, { recursive: true })
  const json = { machine: { ...machine, loadAtEnd }, targets, profile, results: results.map((r) => ({ ...r, runs: Object.fromEntries(TOOLS.map((t) => [t, r.runs[t].map(({ stdout: _stdout, stderrTail: _stderr, ...m }) => m)])) })) }
  writeFileSync(join(resultsDir, 'codemod.json'), `${JSON.stringify(json, null, 2)}\n`)
  const groups = results.map((r) => `${r.files.toLocaleString('en-US')} files`)
  const colors: Record<ToolId, string> = { tool: '#2b7bb9', jscodeshift: '#d95f02', floor: '#7f7f7f' }
  writeFileSync(join(resultsDir, 'codemod.svg'), chartSvg(`Codemod on synthetic Nuxt repos — ${machine.cpus} cores, ${machine.memoryGiB} GiB, ${machine.date.slice(0, 10)}`, [
    { title: 'Wall time (median)', unit: 'seconds', log: true, groups, series: TOOLS.map((t) => ({ name: LABEL[t], color: colors[t], values: results.map((r) => r.median[t].wallMs / 1000) })) },
    { title: 'Peak memory (median; jscodeshift: all its processes)', unit: 'MiB', groups, series: TOOLS.map((t) => ({ name: LABEL[t], color: colors[t], values: results.map((r) => t === 'jscodeshift' ? r.median[t].treePeakRssMiB : r.median[t].peakRssMiB) })) },
  ]))
  const targetTable = markdownTable(['target', 'wanted', 'measured', 'met'], targets.map((t) => [t.name, t.target, Number.isNaN(t.measured) ? 'n/a (a failed)' : t.measured, t.met ? 'yes' : '**no**']))
  const profileTable = profile ? `\n\n${profileMarkdown(profile, sizes[sizes.length - 1] as number)}` : ''
  const md = `Run ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; 1-minute load average ${machine.loadAtStart} at the start, ${loadAtEnd} at the end.\n\n${table}\n\n${targetTable}${profileTable}\n`
  writeFileSync(join(resultsDir, 'codemod.md'), md)
  console.log(`\n${md}`)
  console.log(`wrote ${join(resultsDir, 'codemod.json')}, codemod.svg, codemod.md`)
}

main().then(() => killAll(), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  killAll()
  process.exitCode = 1
})
