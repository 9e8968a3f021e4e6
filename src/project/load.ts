import { lstatSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { Project, ts, type SourceFile } from 'ts-morph'
import { fixedSeverity, type FollowUp } from '../followups.js'
import { readContent } from './content.js'
import { InputError } from '../errors.js'
import { detectLayout, toPosix } from './layout.js'
import { selectCandidates, type TextFacts } from './candidates.js'
import { mayUseSocketIO } from './prefilter.js'
import type { PrefetchResult } from './prefetch.js'
import { snapshotFileSystem } from './snapshot-fs.js'
import { createRepoResolver, type RepoResolver } from './resolution.js'
import { createScanner, DOC_PATTERN, scanSourcesAndDocs, SOURCE_EXTENSIONS, type Scanner } from './scan.js'
import type { NuxtLayout, Repo, SourceUnit } from './types.js'
import { lineColumn } from './locate.js'
import { createUnit, unitKind } from './unit.js'
import { findSfcScripts } from './vue.js'

export interface LoadOptions {
  /** Called while scanning and parsing (for the CLI progress line). */
  onProgress?(progress: { scanned: number; parsed: number }): void
  /** The scan and the file contents, read on another thread (prefetch.ts); used when it scanned this repo's root. */
  prefetched?: PrefetchResult
}

function createProject(layout: NuxtLayout, resolver: RepoResolver, textOf: (absPath: string) => string | undefined): Project {
  const { rootDir, srcDir, serverDir } = layout
  return new Project({
    fileSystem: snapshotFileSystem(textOf),
    resolutionHost: resolver.hostFactory,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    compilerOptions: {
      allowJs: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.Preserve,
      strict: true,
      noEmit: true,
      // The analysis resolves symbols between the repo's own files; loading lib.*.d.ts for the
      // type checker made it 6-10x slower (measured on the fixtures) and changed no result.
      noLib: true,
      // Nuxt's aliases, so imports such as `~~/server/utils/socket` resolve to the repo's files.
      paths: {
        '~/*': [`${srcDir}/*`],
        '@/*': [`${srcDir}/*`],
        '~~/*': [`${rootDir}/*`],
        '@@/*': [`${rootDir}/*`],
        '#server/*': [`${serverDir}/*`],
        '#shared/*': [`${rootDir}/shared/*`],
      },
    },
  })
}

/** The repo as the analysis and the transforms see it. Only the engine reads and writes the disk. */
export class LoadedRepo implements Repo {
  readonly files: readonly string[]
  readonly units = new Map<string, SourceUnit>()
  /** Symlinks met by the scan; never parsed or written. */
  readonly symlinks: readonly string[]
  /** Problems found while loading (e.g. a non-UTF-8 file that may use Socket.IO), reported as follow-ups. */
  readonly notes: FollowUp[] = []
  /**
   * Every file read, so every reader sees one consistent snapshot: its text when it is UTF-8 (decoded
   * once, however many transforms read it), its bytes when not, null when absent or not a regular file.
   */
  readonly snapshots = new Map<string, string | Buffer | null>()
  /** Counts for `--verbose`: files scanned, files the pre-filter selected (parsed on demand ones come on top). */
  readonly stats = { scanned: 0, candidates: 0 }
  private readonly unitsByFilePath = new Map<string, SourceUnit>()
  private readonly fileSet: Set<string>
  /** Glob results by pattern: the repo does not change while a plan is made, and transforms ask again per file. */
  private readonly globs = new Map<string, readonly string[]>()
  private realRoot: string | undefined

  constructor(
    readonly layout: NuxtLayout,
    readonly project: Project,
    private readonly resolver: RepoResolver,
    private readonly scanner: Scanner,
    scan: { files: string[]; symlinks: string[]; docs?: string[] },
  ) {
    this.files = scan.files
    this.fileSet = new Set(scan.files)
    this.symlinks = scan.symlinks
    if (scan.docs) this.globs.set(DOC_PATTERN, scan.docs)
  }

  relative(absPath: string): string {
    return toPosix(path.relative(this.layout.rootDir, absPath))
  }

  absolute(relPath: string): string {
    return toPosix(path.join(this.layout.rootDir, relPath))
  }

  /** True when a repo-relative path stays inside the repo and no symlink on the way leads out of it. */
  private insideRepo(relPath: string): boolean {
    // The scan follows no symlink and yields normalised paths inside the repo: nothing to check.
    if (this.fileSet.has(relPath)) return true
    const abs = path.resolve(this.layout.rootDir, relPath)
    const rel = path.relative(this.layout.rootDir, abs)
    if (rel.startsWith('..') || path.isAbsolute(rel)) return false
    try {
      const real = realpathSync(abs)
      this.realRoot ??= realpathSync(this.layout.rootDir)
      const realRel = path.relative(this.realRoot, real)
      return !realRel.startsWith('..') && !path.isAbsolute(realRel)
    } catch {
      return true // absent: nothing to follow
    }
  }

  private isRegularFile(relPath: string): boolean {
    try {
      return lstatSync(this.absolute(relPath)).isFile()
    } catch {
      return false
    }
  }

  /** Reads a file once and remembers what it held (see `snapshots`). */
  private snapshot(relPath: string): string | Buffer | undefined {
    const cached = this.snapshots.get(relPath)
    if (cached !== undefined) return cached ?? undefined
    if (!this.insideRepo(relPath)) return undefined
    // The scan saw scanned paths as regular files (not symlinks); others are checked here.
    const content = this.fileSet.has(relPath) || this.isRegularFile(relPath) ? readContent(this.absolute(relPath)) : null
    this.snapshots.set(relPath, content)
    return content ?? undefined
  }

  /** The snapshot text of a file already read, by absolute path (for the ts-morph project's file system). */
  snapshotText(absPath: string): string | undefined {
    const content = this.snapshots.get(this.relative(absPath))
    return typeof content === 'string' ? content : undefined
  }

  readText(relPath: string): string | undefined {
    const unit = this.units.get(relPath)
    if (unit) return unit.originalText
    const content = this.snapshot(relPath)
    return typeof content === 'string' ? content : undefined
  }

  exists(relPath: string): boolean {
    if (!this.insideRepo(relPath)) return false
    try {
      lstatSync(this.absolute(relPath))
      return true
    } catch {
      return false
    }
  }

  glob(pattern: string | string[]): string[] {
    const patterns = typeof pattern === 'string' ? [pattern] : pattern
    const key = patterns.join('\0')
    let files = this.globs.get(key)
    if (!files) {
      const subtrees = patterns.map(scriptSubtree)
      // Scripts under a directory are already in the scan (same ignores, no symlinks): no second walk.
      files = subtrees.every((subtree) => subtree !== undefined)
        ? this.files.filter((file) => subtrees.some((subtree) => file.startsWith(subtree!.dir) && subtree!.extensions.has(path.posix.extname(file))))
        : this.scanner.glob(pattern).files
      this.globs.set(key, files)
    }
    return [...files]
  }

  /** Parses a scanned source file (once). Undefined for files that are not scanned scripts or not UTF-8. */
  getUnit(relPath: string): SourceUnit | undefined {
    const known = this.units.get(relPath)
    if (known) return known
    if (!this.fileSet.has(relPath) || !unitKind(relPath)) return undefined
    const text = this.snapshot(relPath)
    return typeof text === 'string' ? this.addUnit(relPath, text) : undefined
  }

  private addUnit(relPath: string, text: string): SourceUnit {
    const unit = createUnit(this.project, relPath, this.absolute(relPath), text)
    assertParses(unit)
    this.units.set(relPath, unit)
    for (const block of unit.scripts) this.unitsByFilePath.set(block.sourceFile.getFilePath(), unit)
    return unit
  }

  resolveImportPath(fromPath: string, specifier: string): string | undefined {
    const resolved = this.resolver.resolve(specifier, this.absolute(fromPath))?.resolvedFileName
    if (!resolved) return undefined
    const rel = this.relative(resolved)
    return rel.startsWith('..') || rel.split('/').includes('node_modules') ? undefined : rel
  }

  unitOf(sourceFile: SourceFile): SourceUnit | undefined {
    return this.unitsByFilePath.get(sourceFile.getFilePath())
  }

  /** Adopts contents read by the prefetch worker as this repo's snapshot; returns their text facts. */
  takeContents(prefetched: PrefetchResult): Map<string, TextFacts> {
    const facts = new Map<string, TextFacts>()
    prefetched.files.forEach((file, index) => {
      const content = prefetched.contents[index]
      this.snapshots.set(file, content instanceof Uint8Array ? Buffer.from(content.buffer, content.byteOffset, content.byteLength) : content ?? null)
      const fact = prefetched.facts[index]
      if (fact) facts.set(file, fact)
    })
    return facts
  }

  /** Parses every scanned file that can take part in a Socket.IO setup (see candidates.ts), in scan order. */
  parseCandidates(onProgress?: LoadOptions['onProgress'], precomputed?: ReadonlyMap<string, TextFacts>): void {
    const texts = new Map<string, string>()
    let scanned = 0
    for (const relPath of this.files) {
      scanned++
      if (!unitKind(relPath)) continue
      const content = this.snapshot(relPath)
      if (content === undefined) continue
      if (typeof content !== 'string') {
        if (mayUseSocketIO(content.toString('latin1'))) this.notes.push(notUtf8(relPath))
        continue
      }
      texts.set(relPath, content)
      if (scanned % 500 === 0) onProgress?.({ scanned, parsed: 0 })
    }
    const selected = selectCandidates({
      texts,
      autoImportDirs: this.autoImportDirs(),
      resolveImportPath: (from, specifier) => this.resolveImportPath(from, specifier),
      precomputed,
    })
    this.stats.scanned = this.files.length
    this.stats.candidates = selected.size
    for (const [relPath, text] of texts) {
      if (!selected.has(relPath)) continue
      this.addUnit(relPath, text)
      onProgress?.({ scanned, parsed: this.units.size })
    }
  }

  /** Directories whose exports Nuxt and Nitro auto-import by name (nested ones too, as `imports.dirs` often adds them). */
  private autoImportDirs(): string[] {
    const { srcDir, serverDir, rootDir } = this.layout
    return [
      ...['composables', 'utils', 'stores'].map((dir) => this.relative(`${srcDir}/${dir}`)),
      this.relative(`${serverDir}/utils`),
      ...['shared/utils', 'shared/types'].map((dir) => this.relative(`${rootDir}/${dir}`)),
    ]
  }
}

function notUtf8(file: string): FollowUp {
  return {
    kind: 'input/not-utf8',
    transform: 'engine',
    file,
    line: 1,
    column: 1,
    code: '',
    reason: 'the file is not valid UTF-8, so it was neither analysed nor changed, and it may use Socket.IO',
    action: 'convert the file to UTF-8 and run the tool again, or migrate it by hand',
    severity: fixedSeverity('input/not-utf8'),
  }
}

/** A file that does not parse is not migrated by guesswork: the run stops with exit 2 naming it. */
function assertParses(unit: SourceUnit): void {
  if (unit.kind === 'vue') {
    const [error] = findSfcScripts(unit.originalText, unit.absPath).errors
    if (error) {
      const { line, column } = lineColumn(unit.originalText, error.offset ?? 0)
      throw new InputError(`${unit.path}:${line}:${column}: syntax error: ${error.message} (fix the file, then run the tool again)`)
    }
  }
  for (const block of unit.scripts) {
    const diagnostics = (block.sourceFile.compilerNode as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] })
      .parseDiagnostics
    const first = diagnostics?.[0]
    if (!first) continue
    const { line, column } = lineColumn(unit.originalText, block.start + first.start)
    const message = ts.flattenDiagnosticMessageText(first.messageText, ' ')
    throw new InputError(`${unit.path}:${line}:${column}: syntax error: ${message} (fix the file, then run the tool again)`)
  }
}

function assertPackageJsonParses(layout: NuxtLayout): void {
  const text = readFileSync(layout.packageJsonPath, 'utf8')
  try {
    JSON.parse(text)
  } catch (error) {
    throw new InputError(`${layout.packageJsonPath}: malformed package.json: ${(error as Error).message}`)
  }
}

/** `server/api/**\/*.{ts,js}` → the directory prefix and the extensions, when the scan covers that pattern. */
function scriptSubtree(pattern: string): { dir: string; extensions: Set<string> } | undefined {
  const match = /^([^*?{}[\]!]+\/)\*\*\/\*\.\{([a-z,]+)\}$/.exec(pattern)
  if (!match) return undefined
  const extensions = match[2]!.split(',')
  const scanned: readonly string[] = SOURCE_EXTENSIONS
  return extensions.every((extension) => scanned.includes(extension)) ? { dir: match[1]!, extensions: new Set(extensions.map((extension) => `.${extension}`)) } : undefined
}

/** Loads a Nuxt repo: layout, scan, pre-filter, ts-morph units. Throws InputError for bad input. */
export function loadRepo(dir: string, options: LoadOptions = {}): LoadedRepo {
  const layout = detectLayout(dir)
  assertPackageJsonParses(layout)
  const scanner = createScanner(layout.rootDir)
  const resolver = createRepoResolver(() => project.getCompilerOptions())
  let repo: LoadedRepo | undefined
  const project = createProject(layout, resolver, (absPath) => repo?.snapshotText(absPath))
  const prefetched = options.prefetched && toPosix(options.prefetched.rootDir ?? '') === layout.rootDir ? options.prefetched : undefined
  repo = new LoadedRepo(layout, project, resolver, scanner, prefetched ?? scanSourcesAndDocs(scanner))
  const facts = prefetched ? repo.takeContents(prefetched) : undefined
  repo.parseCandidates(options.onProgress, facts)
  return repo
}
