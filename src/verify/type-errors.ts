import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { ts } from 'ts-morph'
import type { FileChange } from '../changeset/types.js'
import type { FollowUp } from '../followups.js'
import { directImporters } from './importers.js'
import { autoImportedNames, isAutoImportPath } from './known-names.js'
import type { ParsedScripts } from './parsed-scripts.js'
import { findingFollowUp, type RunnableFinding } from './runnable.js'
import { libManifest } from './lib-manifest.js'
import { DEFAULT_LIB, readLib } from './lib-files.js'
import { libLength, trimLib } from './lib-trimming.js'
import { wordsOf } from './words.js'
import { ProgramChecker, type CheckResult, type FileDiagnostic } from './program-checker.js'
import { isScriptPath } from './script-views.js'
import { typeCheckOptions } from './type-options.js'
import { createSideResolver, programInput, vueViewPath, type RepoSide, type SideResolver } from './type-program.js'

/** The loaded repo, as far as the type check reads it. */
export interface TypeCheckRepo {
  readonly layout: { readonly rootDir: string; readonly srcDir: string; readonly serverDir: string }
  readonly files: readonly string[]
  readText(path: string): string | undefined
  exists(path: string): boolean
  readonly project: { getCompilerOptions(): ts.CompilerOptions }
}

/**
 * The runtime's files where the sse-runtime transform installs them (`server/…` under the server
 * dir, `app/…` under the src dir), for a plan that does not install them (`--skip sse-runtime`):
 * code written for them is checked against them, as the names check counts their names as provided.
 */
function runtimeFiles(repo: TypeCheckRepo, runtimeDir: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const top of ['app', 'server']) {
    const base = path.posix.relative(repo.layout.rootDir, top === 'server' ? repo.layout.serverDir : repo.layout.srcDir)
    for (const entry of readdirSync(path.join(runtimeDir, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
      const rel = path.relative(path.join(runtimeDir, top), path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
      files.set([base, rel].filter(Boolean).join('/'), readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    }
  }
  return files
}

function sideOf(repo: TypeCheckRepo, changes: readonly FileChange[], after: boolean, provided: ReadonlyMap<string, string> = new Map()): RepoSide {
  const changed = new Map(changes.map((change) => [change.path, change]))
  const files = new Set(repo.files)
  if (after) {
    for (const change of changes) {
      if (change.kind === 'delete') files.delete(change.path)
      else files.add(change.path)
    }
    for (const file of provided.keys()) files.add(file)
  }
  return {
    rootDir: repo.layout.rootDir,
    files,
    text: (relPath) => {
      if (after && provided.has(relPath)) return provided.get(relPath)
      const change = after ? changed.get(relPath) : undefined
      if (change) return change.kind === 'delete' ? undefined : change.text
      return !after && changed.get(relPath)?.kind === 'create' ? undefined : repo.readText(relPath)
    },
    existsOutsideScan: (relPath) => {
      if (after && provided.has(relPath)) return true
      const change = changed.get(relPath)
      if (change) return after ? change.kind !== 'delete' : change.kind !== 'create'
      return repo.exists(relPath)
    },
  }
}

/** The diagnostics `after` has that `before` has not, matched by code and message (so a line moved by the plan still matches). */
function newDiagnostics(after: readonly FileDiagnostic[], before: readonly FileDiagnostic[]): FileDiagnostic[] {
  const left = new Map<string, number>()
  for (const diagnostic of before) left.set(diagnostic.key, (left.get(diagnostic.key) ?? 0) + 1)
  return after.filter((diagnostic) => {
    const count = left.get(diagnostic.key) ?? 0
    if (count === 0) return true
    left.set(diagnostic.key, count - 1)
    return false
  })
}

/** One per process: the lib it has parsed and bound serves every plan (a withdrawal plans again). */
const checker = new ProgramChecker()

/**
 * Every type error the plan would add: the created and changed scripts (`.vue` ones through their
 * `<script>` blocks) and the files that import them or use what they auto-export are type-checked as
 * they are and as the plan leaves them, and each diagnostic of a file only the second check has is
 * a finding. The repo's own compiler options (see typeCheckOptions) apply; packages are never loaded
 * (see programInput), so what a finding says holds whatever versions the app has installed.
 */
export function findNewTypeErrors(changes: readonly FileChange[], repo: TypeCheckRepo, runtimeDir: string, verbose: (message: string) => void = () => {}, parsed?: ParsedScripts): RunnableFinding[] {
  const started = performance.now()
  // The runtime's own files are installed as shipped (only restyled) and type-checked with this package.
  const shipped = (change: FileChange) => change.kind === 'create' && change.meta.every((meta) => meta.transform === 'sse-runtime')
  const checked = changes.filter((change) => change.kind !== 'delete' && !shipped(change) && isScriptPath(change.path))
  if (checked.length === 0) return []
  const rootDir = repo.layout.rootDir
  const { options, source } = typeCheckOptions(rootDir, repo.project.getCompilerOptions())
  const before = sideOf(repo, changes, false)
  const installed = runtimeFiles(repo, runtimeDir)
  for (const file of installed.keys()) if (before.files.has(file) || changes.some((change) => change.path === file)) installed.delete(file)
  const after = sideOf(repo, changes, true, installed)

  const targets = new Set(changes.filter((change) => change.kind !== 'create' && isScriptPath(change.path)).map((change) => change.path))
  const autoImported = new Map([...targets].filter(isAutoImportPath).map((target) => [target, autoImportedNames(target, before.text(target) ?? '')]))
  const beforeResolver = createSideResolver(before, options)
  const importers = directImporters(before, beforeResolver, targets, autoImported)
  const paths = [...new Set([...checked.map((change) => change.path), ...[...importers.keys()].filter((file) => after.files.has(file))])]
  const fileName = (relPath: string) => {
    const abs = path.posix.join(rootDir, relPath)
    return relPath.endsWith('.vue') ? vueViewPath(abs) : abs
  }

  // The plan's side first: a file without a diagnostic there has nothing new, so only the files
  // that have one are checked as they were, and a clean plan needs one program, not two. Both
  // sides load the same lib, trimmed to what the code of either can reach: the plan's program and
  // the text every changed file had.
  const opaque = new Set([...changes.filter(shipped).map((change) => change.path), ...installed.keys()].map(fileName))
  const afterInput = programInput(after, paths.map(fileName), options, opaque)
  const replaced = changes.flatMap((change) => (change.kind === 'create' ? [] : [before.text(change.path) ?? '']))
  const manifest = libManifest()
  const libRoots = options.lib ?? [DEFAULT_LIB]
  const union = (...sets: ReadonlySet<string>[]) => new Set(sets.flatMap((set) => [...set]))
  const replacedWords = wordsOf(replaced)
  let lib = trimLib(manifest, readLib, union(afterInput.words, replacedWords), libRoots)
  let afterCheck = checker.check({ input: afterInput, files: paths.map(fileName), continues: false, lib, parsed })
  const recheck = paths.filter((file) => (afterCheck.get(fileName(file)) ?? []).length > 0 && before.files.has(file))
  let beforeCheck: CheckResult | undefined
  if (recheck.length > 0) {
    const beforeInput = programInput(before, recheck.map(fileName), options, opaque)
    const both = trimLib(manifest, readLib, union(afterInput.words, replacedWords, beforeInput.words), libRoots)
    // Code only the earlier side loads reaches more of the lib: the plan's side is checked again with it.
    if ([...both.texts].some(([name, text]) => lib.texts.get(name) !== text)) {
      lib = both
      afterCheck = checker.check({ input: afterInput, files: paths.map(fileName), continues: false, lib, parsed })
    }
    beforeCheck = checker.check({ input: beforeInput, files: recheck.map(fileName), continues: true, lib, parsed })
  }
  const afterDiagnostics = new Map(paths.map((file) => [file, afterCheck.get(fileName(file)) ?? []]))
  const changeOf = new Map(changes.map((change) => [change.path, change]))
  const transformsOf = (file: string) => {
    const sources = changeOf.has(file) ? [file] : [...(importers.get(file) ?? [])]
    return [...new Set(sources.flatMap((source) => changeOf.get(source)?.meta.map((meta) => meta.transform) ?? []))]
  }

  const findings: RunnableFinding[] = []
  for (const file of paths) {
    const found = afterDiagnostics.get(file)!
    if (found.length === 0) continue
    const earlier = beforeCheck?.get(fileName(file)) ?? []
    const lines = (after.text(file) ?? '').split('\n')
    for (const diagnostic of newDiagnostics(found, earlier)) {
      if (importsWhatWasMissing(diagnostic, path.posix.join(rootDir, file), beforeResolver)) continue
      const through = changeOf.has(file) ? '' : ` (it uses ${[...(importers.get(file) ?? [])].join(', ')}, as the migration would change it)`
      findings.push({
        kind: 'verify/type-error',
        path: file,
        line: diagnostic.line,
        column: diagnostic.column,
        code: lines[diagnostic.line - 1]?.trim() ?? '',
        message: `type error TS${diagnostic.code}: ${diagnostic.message.replace(/\s*\n\s*/g, ' ')}${through}`,
        transforms: transformsOf(file),
      })
    }
  }
  const kB = (texts: Iterable<string>) => Math.round(libLength(texts) / 1000)
  verbose(`verify: type-checked ${paths.length} files as the plan leaves them (${importers.size} importers among them) and ${recheck.length} as they were, options from ${source}, lib reachable from their code ${kB(lib.texts.values())} of ${kB(Object.keys(manifest.files).flatMap((name) => readLib(name) ?? []))} kB: ${findings.length} new errors, ${Math.round(performance.now() - started)} ms`)
  return findings.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column)
}

const CANNOT_FIND_MODULE = 2307

/**
 * `Cannot find module 'x'` where `x` did not resolve before the migration either: code that imported a
 * missing module was moved (a handler into its route), and it is as broken as it was. A module that
 * resolved before is one the plan deleted, which counts.
 */
function importsWhatWasMissing(diagnostic: FileDiagnostic, fromFile: string, resolveBefore: SideResolver): boolean {
  if (diagnostic.code !== CANNOT_FIND_MODULE) return false
  const specifier = /'([^']+)'/.exec(diagnostic.message)?.[1]
  return specifier !== undefined && resolveBefore.resolve(specifier, fromFile).kind !== 'file'
}

/** A type error kept by `--force`: the app's own type check fails there. */
export function typeErrorFollowUp(finding: RunnableFinding): FollowUp {
  return findingFollowUp(finding, "the app's type check fails here", 'fix the types by hand (see the other follow-ups of the file), or restore the code the migration replaced')
}
