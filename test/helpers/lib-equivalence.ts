import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { libManifest } from '../../src/verify/lib-manifest.js'
import { libLength, trimLib } from '../../src/verify/lib-trimming.js'
import { DEFAULT_LIB, readLib } from '../../src/verify/lib-files.js'
import { ProgramChecker, type CheckResult, type ProgramInput } from '../../src/verify/program-checker.js'
import { isScriptPath } from '../../src/verify/script-views.js'
import { typeCheckOptions } from '../../src/verify/type-options.js'
import { programInput, vueViewPath, type RepoSide } from '../../src/verify/type-program.js'

const SKIPPED = new Set(['node_modules', '.nuxt', '.output', '.git', 'dist'])

/** The lib files the check may load, whole. */
export function wholeLib(): Map<string, string> {
  return new Map(Object.keys(libManifest().files).map((name) => [name, readLib(name)!]))
}

export interface LibComparison {
  /** `file:line:col TScode message` of every root, checked with the whole lib. */
  whole: string[]
  /** The same with the lib trimmed to the program's words. */
  trimmed: string[]
  /** Characters of lib the trimmed check loaded. */
  kept: number
}

/** Checks the roots of `input` twice, with the whole lib and with the lib trimmed to what its code reaches. */
export function compareWithWholeLib(input: ProgramInput): LibComparison {
  const lib = trimLib(libManifest(), readLib, input.words, input.options.lib ?? [DEFAULT_LIB])
  const files = input.rootNames.slice(1)
  const flat = (result: CheckResult) =>
    [...result].flatMap(([file, diagnostics]) => diagnostics.map((d) => `${path.posix.relative(input.rootDir, file)}:${d.line}:${d.column} TS${d.code} ${d.message}`))
  return {
    whole: flat(new ProgramChecker().check({ input, files, continues: false })),
    trimmed: flat(new ProgramChecker().check({ input, files, continues: false, lib })),
    kept: libLength(lib.texts.values()),
  }
}

/** Every code file of the tree at `dir` as a root of one program, as the type check builds it. */
export function treeInput(dir: string): ProgramInput {
  const rootDir = dir.split(path.sep).join('/')
  const files = new Set<string>()
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    if (entry.isFile() && !rel.split('/').some((part) => SKIPPED.has(part))) files.add(rel)
  }
  const side: RepoSide = {
    rootDir,
    files,
    text: (rel) => (files.has(rel) ? readFileSync(path.join(dir, rel), 'utf8') : undefined),
    existsOutsideScan: (rel) => existsSync(path.join(dir, rel)),
  }
  const roots = [...files].filter(isScriptPath).map((rel) => (rel.endsWith('.vue') ? vueViewPath(`${rootDir}/${rel}`) : `${rootDir}/${rel}`))
  return programInput(side, roots, typeCheckOptions(rootDir, {}).options, new Set())
}
