import { readFileSync } from 'node:fs'
import path from 'node:path'
import fg from 'fast-glob'
import ignore, { type Ignore } from 'ignore'

/** Never part of the user's sources, whatever .gitignore says. */
export const ALWAYS_IGNORED = ['node_modules', '.nuxt', '.output', 'dist', '.git', 'coverage', '.tutor-sse-migrate']

/** The source files the scan lists (and parses when they pass the pre-filter). */
export const SOURCE_EXTENSIONS = ['ts', 'js', 'mts', 'mjs', 'vue'] as const

export const SOURCE_PATTERN = `**/*.{${SOURCE_EXTENSIONS.join(',')}}`

/** Markdown the migration reports on when it still describes Socket.IO; listed by the same walk as the sources. */
export const DOC_PATTERN = '**/*.md'

/** One walk of the repo: its source files and symlinks (as `glob(SOURCE_PATTERN)`) and its docs (as `glob(DOC_PATTERN).files`). */
export function scanSourcesAndDocs(scanner: Scanner): { files: string[]; symlinks: string[]; docs: string[] } {
  const both = scanner.glob([SOURCE_PATTERN, DOC_PATTERN])
  const isSource = (file: string): boolean => (SOURCE_EXTENSIONS as readonly string[]).includes(path.posix.extname(file).slice(1))
  return { files: both.files.filter(isSource), symlinks: both.symlinks.filter(isSource), docs: both.files.filter((file) => !isSource(file)) }
}

export interface Scanner {
  /** Repo-relative posix paths of regular files matching the patterns, sorted; symlinks are left out. */
  glob(patterns: string | string[]): { files: string[]; symlinks: string[] }
  isIgnored(relPath: string): boolean
}

function readGitignore(rootDir: string): Ignore {
  const ig = ignore()
  try {
    ig.add(readFileSync(path.join(rootDir, '.gitignore'), 'utf8'))
  } catch {
    // no .gitignore: only the built-in ignores apply
  }
  return ig
}

export function createScanner(rootDir: string): Scanner {
  const gitignore = readGitignore(rootDir)
  const fgIgnore = ALWAYS_IGNORED.map((name) => `**/${name}/**`)
  const isIgnored = (relPath: string): boolean =>
    relPath.split('/').some((part) => ALWAYS_IGNORED.includes(part)) || gitignore.ignores(relPath)
  return {
    isIgnored,
    glob(patterns) {
      const entries = fg.sync(patterns, {
        cwd: rootDir,
        dot: true,
        onlyFiles: false,
        followSymbolicLinks: false,
        ignore: fgIgnore,
        objectMode: true,
      })
      const files: string[] = []
      const symlinks: string[] = []
      for (const entry of entries) {
        if (isIgnored(entry.path)) continue
        // Symlinks are never parsed or written: one may point outside the repo.
        if (entry.dirent.isSymbolicLink()) symlinks.push(entry.path)
        else if (entry.dirent.isFile()) files.push(entry.path)
      }
      return { files: files.sort(), symlinks: symlinks.sort() }
    },
  }
}
