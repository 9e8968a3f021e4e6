import { existsSync } from 'node:fs'
import path from 'node:path'
import { ts } from 'ts-morph'
import { DEFAULT_LIB, isBrowserLib } from './lib-files.js'

/** The compiler options the type check runs with, and which file they came from. */
export interface TypeCheckOptions {
  options: ts.CompilerOptions
  /** `tsconfig.json`, `.nuxt/tsconfig.json`…, or `defaults` when the repo has none that says where its aliases go. */
  source: string
}

/**
 * The language's own lib, without the DOM and worker libs: those are 2 MB of declarations, whose
 * parse alone took longer than all the rest of the check. Browser globals then stay unresolved, and an unresolved
 * name never counts as a new type error (see type-errors.ts), so this loses checks, never adds one.
 */
function languageLibs(lib: readonly string[] | undefined): string[] {
  const kept = (lib ?? []).filter((name) => !isBrowserLib(name))
  return kept.length > 0 ? kept : [DEFAULT_LIB]
}

/** Reads a tsconfig with its `extends`; its `include` is not walked (the check picks its own files). */
function parseTsconfig(file: string): ts.CompilerOptions | undefined {
  const read = ts.readConfigFile(file, ts.sys.readFile)
  if (read.error || typeof read.config !== 'object' || read.config === null) return undefined
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
  }
  return ts.parseJsonConfigFileContent(read.config, host, path.dirname(file), undefined, file).options
}

/**
 * The repo's own options: its root tsconfig when that (through `extends`) says where the aliases go,
 * else Nuxt's generated `.nuxt/tsconfig.json` (or the app one), else `fallback` (the aliases of the
 * loaded project) under whatever the root tsconfig sets. Whatever the source, the check loads no
 * package's types and no `@types`: it compares the app's own code before and after.
 */
export function typeCheckOptions(rootDir: string, fallback: ts.CompilerOptions): TypeCheckOptions {
  const candidates = ['tsconfig.json', '.nuxt/tsconfig.json', '.nuxt/tsconfig.app.json']
  let rootOptions: ts.CompilerOptions | undefined
  let found: TypeCheckOptions | undefined
  for (const candidate of candidates) {
    const file = path.join(rootDir, candidate)
    if (!existsSync(file)) continue
    const options = parseTsconfig(file)
    if (candidate === 'tsconfig.json') rootOptions = options
    if (options?.paths) {
      found = { options, source: candidate }
      break
    }
  }
  const base = found ?? { options: { ...fallback, ...rootOptions, paths: fallback.paths }, source: rootOptions ? 'tsconfig.json (aliases: defaults)' : 'defaults' }
  const options: ts.CompilerOptions = {
    ...base.options,
    lib: languageLibs(base.options.lib),
    noLib: false,
    noEmit: true,
    skipLibCheck: true,
    allowJs: true,
    // As Nuxt's own tsconfig: a `<script setup>` with no import is still a module.
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: [],
    typeRoots: [],
    composite: false,
    incremental: false,
    declaration: false,
    plugins: [],
  }
  return { options, source: base.source }
}
