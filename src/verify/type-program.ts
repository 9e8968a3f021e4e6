import path from 'node:path'
import { ts } from 'ts-morph'
import { isPackageSpecifier } from '../project/resolution.js'
import type { ProgramInput } from './program-checker.js'
import { autoImportedNames, frameworkNames, isAutoImportPath } from './known-names.js'
import { wordsOf } from './words.js'
import { vueScriptText } from './undeclared.js'

/** The repo's files on one side of the plan: as they are, or as the plan leaves them. */
export interface RepoSide {
  /** Absolute, `/`-separated. */
  readonly rootDir: string
  /** Every source file on this side (created ones included, deleted ones not). */
  readonly files: ReadonlySet<string>
  text(relPath: string): string | undefined
  /** For files the scan does not list (`.json`, `.tsx`): are they there. */
  existsOutsideScan(relPath: string): boolean
}

/** Where a specifier leads: a file of the repo, a package (or Nuxt's generated code), or nowhere. */
export type Resolution = { kind: 'file'; path: string } | { kind: 'external' } | { kind: 'missing' }

const ENVIRONMENT = '/__tsm_verify__/environment.d.ts'
/** What a `.vue` file that is imported but not checked exports, whatever its script holds. */
const COMPONENT_STUB = 'declare const component: any\nexport default component\n'
const VUE_VIEW = '.view.ts'
/** Nuxt's `import.meta.client`, `.server`, `.dev`…, declared by its types. */
const IMPORT_META = 'interface ImportMeta { [key: string]: any }\n'
const SCANNED = /\.(?:ts|js|mts|mjs|vue)$/

/**
 * A `.vue` file's scripts, checked as one TypeScript file next to it (lines and columns as in the
 * file). An import of the `.vue` file itself gets the component stub instead, as a bundler gives it
 * a component whatever the script exports.
 */
export function vueViewPath(absVuePath: string): string {
  return `${absVuePath}${VUE_VIEW}`
}

/** Resolves specifiers on one side: the repo's own files as they are there; packages and Nuxt's generated code are external. */
export interface SideResolver {
  resolve(specifier: string, containingFile: string): Resolution
  isRepoSource(absPath: string): boolean
  relative(absPath: string): string
}

export function createSideResolver(side: RepoSide, options: ts.CompilerOptions): SideResolver {
  const relative = (abs: string) => path.posix.relative(side.rootDir, abs)
  const isRepoSource = (abs: string) => {
    const rel = relative(abs)
    return !rel.startsWith('..') && !path.posix.isAbsolute(rel) && !rel.split('/').includes('node_modules') && !rel.startsWith('.nuxt/')
  }

  const resolutionHost: ts.ModuleResolutionHost = {
    fileExists: (abs) => {
      if (!isRepoSource(abs)) return false
      const rel = relative(abs)
      if (rel.endsWith('.vue.ts')) return side.files.has(rel.slice(0, -3))
      return SCANNED.test(rel) ? side.files.has(rel) : side.existsOutsideScan(rel)
    },
    readFile: (abs) => (isRepoSource(abs) ? side.text(relative(abs)) : undefined),
    getCurrentDirectory: () => side.rootDir,
  }
  const cacheByKey = new Map<string, Resolution>()
  const resolve = (specifier: string, containingFile: string): Resolution => {
    if (isPackageSpecifier(specifier) && !path.posix.isAbsolute(specifier)) return { kind: 'external' }
    const key = specifier.startsWith('.') ? `${path.posix.dirname(containingFile)}\0${specifier}` : specifier
    const known = cacheByKey.get(key)
    if (known) return known
    const resolved = ts.resolveModuleName(specifier, containingFile, options, resolutionHost).resolvedModule?.resolvedFileName
    const result: Resolution = resolved && isRepoSource(resolved)
      ? { kind: 'file', path: resolved }
      : resolved || (!specifier.startsWith('.') && !path.posix.isAbsolute(specifier) && !aliasIntoRepo(specifier)) ? { kind: 'external' } : { kind: 'missing' }
    cacheByKey.set(key, result)
    return result
  }
  const aliasIntoRepo = (specifier: string): boolean => {
    const base = options.pathsBasePath as string | undefined ?? options.baseUrl ?? side.rootDir
    for (const [pattern, targets] of Object.entries(options.paths ?? {})) {
      const prefix = pattern.replace(/\*$/, '')
      if (pattern.endsWith('*') ? !specifier.startsWith(prefix) : specifier !== pattern) continue
      return targets.some((target) => isRepoSource(path.posix.resolve(base, target.replace(/\*$/, ''))))
    }
    return false
  }

  return { resolve, isRepoSource, relative }
}

/**
 * What one side's program over `roots` (absolute paths; a `.vue` file as its view) is built from:
 * the texts of every file it loads and where their imports lead. Packages are never
 * loaded: each one imported is declared as a module of `any`, and so is each name Vue, Nuxt, Nitro
 * and h3 auto-import; the app's own auto-imported exports keep their real types. So a diagnostic
 * here depends on the app's own code only, and the same on both sides. An `opaque` file (the
 * shipped runtime, checked with this package) is loaded for what the checked files use of it, but
 * what it imports is not: its own imports are `any`.
 */
export function programInput(side: RepoSide, roots: readonly string[], options: ts.CompilerOptions, opaque: ReadonlySet<string>): ProgramInput {
  const { resolve, isRepoSource, relative } = createSideResolver(side, options)

  // The files the program will hold, found before it is built: the packages among their imports
  // become ambient modules of the environment file, which has to exist before any file is checked.
  const texts = new Map<string, string>()
  const packages = new Set<string>()
  const fileText = (abs: string): string | undefined => {
    const known = texts.get(abs)
    if (known !== undefined) return known
    if (abs === ENVIRONMENT) return undefined
    if (!isRepoSource(abs)) return undefined
    const rel = relative(abs)
    if (rel.endsWith(`.vue${VUE_VIEW}`)) {
      const vue = rel.slice(0, -VUE_VIEW.length)
      const text = side.text(vue)
      return text === undefined ? undefined : vueScriptText(vue, text).text
    }
    if (rel.endsWith('.vue.ts')) return side.files.has(rel.slice(0, -3)) ? COMPONENT_STUB : undefined
    return side.text(rel)
  }
  // The app's auto-imported exports the checked files name, with their real types (loading the
  // others' files would cost more than it could find); the framework's as `any`.
  const named = new Set(roots.flatMap((root) => fileText(root)?.match(/[A-Za-z_$][\w$]*/g) ?? []))
  const globals: string[] = []
  const declared = new Set<string>()
  for (const rel of side.files) {
    if (!isAutoImportPath(rel)) continue
    const text = side.text(rel)
    if (text === undefined) continue
    const module = path.posix.join(side.rootDir, rel).replace(/\.[cm]?[jt]s$/, '')
    const defaultName = /\bexport\s+default\b/.test(text) ? autoImportedNames(rel, 'export default 0')[0] : undefined
    for (const name of autoImportedNames(rel, text)) {
      if (declared.has(name) || !named.has(name)) continue
      declared.add(name)
      globals.push(`declare var ${name}: typeof import(${JSON.stringify(module)})[${JSON.stringify(name === defaultName ? 'default' : name)}]`)
    }
  }
  const globalsText = `${IMPORT_META}${globals.join('\n')}\n`

  const resolutions = new Map<string, Map<string, string>>()
  const queue = [...roots]
  const scan = (abs: string, text: string) => {
    const resolved = new Map<string, string>()
    resolutions.set(abs, resolved)
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      const resolution = resolve(imported.fileName, abs)
      if (resolution.kind === 'file') resolved.set(imported.fileName, resolution.path)
      if (resolution.kind === 'file' && !texts.has(resolution.path)) queue.push(resolution.path)
      else if (resolution.kind === 'external' && !imported.fileName.startsWith('.')) packages.add(imported.fileName)
    }
  }
  scan(ENVIRONMENT, globalsText)
  while (queue.length > 0) {
    const abs = queue.pop()!
    if (texts.has(abs)) continue
    const text = fileText(abs)
    if (text === undefined) continue
    texts.set(abs, text)
    if (isRepoSource(abs) && !opaque.has(abs)) scan(abs, text)
  }
  // The framework's names that some file of the program uses: declaring the other hundreds costs the check time and changes nothing.
  const words = wordsOf(texts.values())
  const framework = frameworkNames().filter((name) => !declared.has(name) && words.has(name)).map((name) => `declare var ${name}: any\n`)
  texts.set(ENVIRONMENT, `${globalsText}${framework.join('')}${[...packages].sort().map((name) => `declare module ${JSON.stringify(name)}\n`).join('')}`)

  return { rootDir: side.rootDir, options, rootNames: [ENVIRONMENT, ...roots], texts, resolutions, words }
}
