import type { Project, SourceFile } from 'ts-morph'

/** Where things live in the user's Nuxt app. All paths are absolute, posix separators. */
export interface NuxtLayout {
  rootDir: string
  /** The app dir: `<root>/app` for the Nuxt 4 layout, `<root>` for the Nuxt 3 layout, or `srcDir` from nuxt.config. */
  srcDir: string
  /** `<root>/server`, or `serverDir` from nuxt.config. */
  serverDir: string
  nuxtConfigPath: string
  packageJsonPath: string
}

/** One `<script>` or `<script setup>` block of a .vue file, or the whole text of a .ts/.js file. */
export interface ScriptBlock {
  /** ts-morph view of the block's code as it was read: transforms read it and stage text edits, never change it. */
  sourceFile: SourceFile
  /** true for `<script setup>` */
  setup: boolean
  lang: 'ts' | 'js'
  /** Offsets of the block's content in the original file text (0 and text.length for .ts/.js files). */
  start: number
  end: number
}

/** A parsed source file of the repo. */
export interface SourceUnit {
  /** Repo-relative, posix separators, e.g. `server/plugins/socket.io.ts`. */
  path: string
  absPath: string
  kind: 'ts' | 'js' | 'vue'
  /** The file's text as read from disk, before any transform ran. */
  originalText: string
  /** For .ts/.js exactly one block; for .vue zero to two. */
  scripts: ScriptBlock[]
}

/** The loaded repo: what the analysis and the transforms see. Only the engine touches the disk. */
export interface Repo {
  layout: NuxtLayout
  project: Project
  /** Every scanned source file (ts/js/mts/mjs/vue), repo-relative, sorted. */
  files: readonly string[]
  /** The units parsed because they passed the text pre-filter, keyed by repo-relative path. */
  units: ReadonlyMap<string, SourceUnit>
  /** Parse a scanned file on demand (e.g. an import target that did not pass the pre-filter). */
  getUnit(path: string): SourceUnit | undefined
  /** Find the unit owning a ts-morph SourceFile (including .vue script blocks). */
  unitOf(sourceFile: SourceFile): SourceUnit | undefined
  /** Read any file of the repo as text (md, json, .env.example ...); undefined when absent. Recorded so apply can refuse files changed since. */
  readText(path: string): string | undefined
  /** True when the path exists in the repo (file or directory), never following symlinks outside it. */
  exists(path: string): boolean
  /** Repo-relative paths matching a fast-glob pattern (honours the same ignores as the scan). */
  glob(pattern: string | string[]): string[]
  /**
   * Where an import specifier of a repo file points (Nuxt aliases `~`, `@`, `~~`, `@@`, `#server`,
   * `#shared` included), as a repo-relative path; undefined for packages and files outside the repo.
   * Pair with `getUnit` to parse the target.
   */
  resolveImportPath(fromPath: string, specifier: string): string | undefined
  /** Absolute path → repo-relative posix path. */
  relative(absPath: string): string
}
