import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { diffLines } from 'diff'
import { afterAll, describe, expect, it } from 'vitest'
import { runtimeFiles } from '../transforms/sse-runtime.js'
import { repoRoot, tempDir } from './helpers/cli.js'
import { linkNodeModules, nuxi } from './helpers/nuxt.js'
import { copyFixtureTree } from './helpers/tree.js'

/**
 * Every fixture's expected `after/` tree is what a user gets, so it must compile: each is type-checked
 * by `nuxi typecheck` (server and client, .vue included) with the SSE runtime present (copied in where
 * the fixture ran without it). An error is allowed only where the tool said so, on a line report.txt
 * names, or where `before/` already had the same error (a fixture calling a helper it leaves out; the
 * error moves with the code that makes it, so it is matched by code and message, not by place).
 */
const fixturesDir = path.join(repoRoot, 'fixtures')
const runtimeDir = path.join(repoRoot, 'src/runtime')
const fixtures = readdirSync(fixturesDir).filter((name) => existsSync(path.join(fixturesDir, name, 'after'))).sort()

/** Nuxt 4's root tsconfig: the app, server, shared and node projects it generates in .nuxt/. */
const NUXT_TSCONFIG = JSON.stringify({ files: [], references: ['app', 'server', 'shared', 'node'].map((p) => ({ path: `./.nuxt/tsconfig.${p}.json` })) }, null, 2)

interface Diagnostic {
  file: string
  line: number
  code: string
  message: string
}

/** `file(line,col): error TS1234: message`, as vue-tsc prints without colours; once per distinct error. */
function parseDiagnostics(output: string): Diagnostic[] {
  const seen = new Map<string, Diagnostic>()
  for (const match of output.matchAll(/^(\S[^(\n]*)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
    const diagnostic = { file: match[1]!.replaceAll('\\', '/'), line: Number(match[2]), code: match[3]!, message: match[4]! }
    seen.set(`${diagnostic.file}:${diagnostic.line} ${diagnostic.code} ${diagnostic.message}`, diagnostic)
  }
  return [...seen.values()]
}

/** A fixture tree ready for `nuxi typecheck`: the runtime where it is missing, Nuxt's tsconfig, linked packages. */
async function prepare(tree: string, appDir: string): Promise<void> {
  copyFixtureTree(tree, appDir)
  const srcDir = existsSync(path.join(appDir, 'app')) ? 'app' : ''
  for (const file of runtimeFiles(runtimeDir)) {
    const [top, ...rest] = file.split('/')
    const target = path.join(appDir, top === 'server' ? 'server' : srcDir, ...rest)
    if (existsSync(target)) continue
    mkdirSync(path.dirname(target), { recursive: true })
    cpSync(path.join(runtimeDir, file), target)
  }
  if (!existsSync(path.join(appDir, 'tsconfig.json'))) writeFileSync(path.join(appDir, 'tsconfig.json'), NUXT_TSCONFIG)
  await linkNodeModules(appDir)
}

async function typecheck(tree: string, appDir: string): Promise<{ diagnostics: Diagnostic[]; output: string; exitCode: number | undefined }> {
  await prepare(tree, appDir)
  const result = await nuxi(appDir, 'typecheck', 240_000)
  return { diagnostics: parseDiagnostics(result.output), output: result.output, exitCode: result.exitCode }
}

/** report.txt → file → the lines its follow-ups name. */
function reportedLines(name: string): Map<string, Set<number>> {
  const lines = new Map<string, Set<number>>()
  const file = path.join(fixturesDir, name, 'report.txt')
  if (!existsSync(file)) return lines
  for (const match of readFileSync(file, 'utf8').matchAll(/^(.+?):(\d+):\d+ /gm)) {
    const set = lines.get(match[1]!) ?? lines.set(match[1]!, new Set()).get(match[1]!)!
    set.add(Number(match[2]))
  }
  return lines
}

/**
 * The lines of before/ an after/ line comes from: itself when unchanged, the lines its hunk replaced
 * when rewritten (follow-ups name lines of the file as it was), none for a created file.
 */
function originLines(beforeText: string | undefined, afterText: string, afterLine: number): number[] {
  if (beforeText === undefined) return []
  let before = 1
  let after = 1
  let removed: number[] = []
  for (const part of diffLines(beforeText, afterText)) {
    const count = part.count ?? 0
    if (part.removed) {
      removed = Array.from({ length: count }, (_, i) => before + i)
      before += count
      continue
    }
    if (part.added) {
      if (afterLine >= after && afterLine < after + count) return removed.length > 0 ? removed : [before - 1, before]
      after += count
      removed = []
      continue
    }
    if (afterLine >= after && afterLine < after + count) return [before + (afterLine - after)]
    before += count
    after += count
    removed = []
  }
  return []
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined
}

/** At most `slots` type-checks at once: each vue-tsc takes a core and about half a GB. */
function limiter(slots: number): <T>(job: () => Promise<T>) => Promise<T> {
  const waiting: (() => void)[] = []
  let running = 0
  return async (job) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await job()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

describe('expected after/ trees type-check with the runtime present', () => {
  const temp = tempDir('tsm-typecheck-')
  afterAll(() => temp.cleanup())
  const limit = limiter(2)

  it.concurrent.each(fixtures)('%s', async (name) => {
    const dir = (tree: 'before' | 'after') => path.join(temp.dir, name, tree)
    const after = await limit(() => typecheck(path.join(fixturesDir, name, 'after'), dir('after')))
    expect(after.exitCode === 0 || after.diagnostics.length > 0, `nuxi typecheck failed without a type error:\n${after.output}`).toBe(true)
    const reported = reportedLines(name)
    const origin = (d: Diagnostic) => originLines(readIfExists(path.join(fixturesDir, name, 'before', d.file)), readFileSync(path.join(dir('after'), d.file), 'utf8'), d.line)
    const created = (d: Diagnostic) => !existsSync(path.join(fixturesDir, name, 'before', d.file))
    // Follow-ups name lines of the file as it was; in a file the tool created, its own lines.
    const onReportedLine = (d: Diagnostic) => {
      const lines = reported.get(d.file)
      return lines !== undefined && (created(d) ? lines.has(d.line) : origin(d).some((line) => lines.has(line)))
    }
    let unexplained = after.diagnostics.filter((d) => !onReportedLine(d))
    if (unexplained.length > 0) {
      const before = await limit(() => typecheck(path.join(fixturesDir, name, 'before'), dir('before')))
      // Moved code (a handler now a route, the middleware now authenticateSSE) carries its errors to another file.
      const existing = new Set(before.diagnostics.map((d) => `${d.code} ${d.message}`))
      unexplained = unexplained.filter((d) => !existing.has(`${d.code} ${d.message}`))
    }
    expect(unexplained.map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`), `${name}: type errors the migration introduced and did not report`).toEqual([])
  }, 900_000)
})
