import path from 'node:path'
import { mayUseSocketIO } from './prefilter.js'
import { escapeRegExp } from '../text/regexp.js'

/**
 * Which scanned files get parsed. Phase 1: files whose text shows a Socket.IO signal (prefilter.ts).
 * Phase 2, to a fixpoint: files that import a candidate, or use a name a candidate makes available
 * without an import (Nuxt/Nitro auto-imports of composables, utils and stores; `$name` provided by a
 * plugin; a `provide('key')` key). So a route calling `getSocketIO()` from `server/utils/socket.ts`
 * and a component calling a `useChat()` that wraps the socket are parsed although they never say so.
 */
export interface CandidateInput {
  /** Repo-relative paths → text, in scan order. */
  texts: ReadonlyMap<string, string>
  /** Repo-relative directories whose files' exports are auto-imported by name. */
  autoImportDirs: readonly string[]
  /** Where an import specifier of a file points, repo-relative; undefined for packages. */
  resolveImportPath(fromPath: string, specifier: string): string | undefined
  /** Phase 1 and the import specifiers, when already computed while the files were read (prefetch.ts). */
  precomputed?: ReadonlyMap<string, TextFacts>
}

/** What the candidate search needs to know of a file's text, computable without parsing. */
export interface TextFacts {
  /** The text shows a Socket.IO signal (prefilter.ts). */
  signal: boolean
  /** Its relative and aliased import specifiers (packages left out). */
  specifiers: string[]
}

export function textFacts(text: string): TextFacts {
  return { signal: mayUseSocketIO(text), specifiers: localSpecifiers(text) }
}

function localSpecifiers(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((match) => match[1]!).filter((s) => s.startsWith('.') || /^[~@#]/.test(s))
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g
const EXPORTED_DECLARATION = /\bexport\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|enum)\s+([A-Za-z_$][\w$]*)/g
const EXPORT_LIST = /\bexport\s*\{([^}]*)\}/g
const PROVIDE_CALL = /\bprovide\s*\(\s*['"]([\w$-]+)['"]/g
const PROVIDE_OBJECT = /\bprovide\s*:\s*\{([^}]*)\}/g
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function stemOf(file: string): string {
  return path.posix.basename(file).replace(/\.(?:[cm]?[jt]s|vue)$/, '')
}

/** The stems an import of `file` can end with: `socket` for `utils/socket.ts`, `utils` for `utils/index.ts`. */
function importStems(file: string): string[] {
  const stem = stemOf(file)
  return stem === 'index' ? [stem, path.posix.basename(path.posix.dirname(file))] : [stem]
}

function specifierStem(specifier: string): string {
  return stemOf(specifier.replace(/\/+$/, ''))
}

function camelCase(name: string): string {
  return name.replace(/[-_.]+(\w)/g, (_, c: string) => c.toUpperCase())
}

/**
 * What a candidate makes usable elsewhere without a path: exported value names (a type cannot carry a
 * socket), `$provided` names, provide keys.
 */
function namesOffered(file: string, text: string, autoImported: boolean): { names: string[]; keys: string[] } {
  const names: string[] = []
  const keys: string[] = []
  if (autoImported) {
    // Nuxt auto-imports a default export under the file's camel-cased name.
    if (stemOf(file) !== 'index') names.push(stemOf(file), camelCase(stemOf(file)))
    for (const match of text.matchAll(EXPORTED_DECLARATION)) names.push(match[1]!)
    for (const match of text.matchAll(EXPORT_LIST)) {
      for (const part of match[1]!.split(',')) {
        if (/^\s*type\s/.test(part)) continue
        const exported = part.trim().split(/\s+as\s+/).pop()?.trim()
        if (exported && exported !== 'default') names.push(exported)
      }
    }
  }
  for (const match of text.matchAll(PROVIDE_CALL)) keys.push(match[1]!)
  for (const match of text.matchAll(PROVIDE_OBJECT)) {
    for (const part of match[1]!.split(',')) {
      const key = part.split(':')[0]!.trim().replace(/^['"]|['"]$/g, '')
      if (IDENTIFIER.test(key)) keys.push(key)
    }
  }
  return { names: names.filter((name) => IDENTIFIER.test(name)), keys }
}

/** A test for texts that use one of the names or keys (undefined when there are none). */
function usagePattern(names: Set<string>, keys: Set<string>): RegExp | undefined {
  const alternatives = [
    ...[...names].map((name) => `(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`),
    ...[...keys].map((key) => `\\$${escapeRegExp(key)}(?![\\w$])|['"\`]${escapeRegExp(key)}['"\`]`),
  ]
  return alternatives.length > 0 ? new RegExp(alternatives.join('|')) : undefined
}

export function selectCandidates(input: CandidateInput): Set<string> {
  const { texts, autoImportDirs } = input
  const isAutoImported = (file: string): boolean => autoImportDirs.some((dir) => file.startsWith(`${dir}/`))
  const selected = new Set<string>()
  const { precomputed } = input
  for (const [file, text] of texts) if (precomputed?.get(file)?.signal ?? mayUseSocketIO(text)) selected.add(file)

  const specifiersOf = new Map<string, string[]>()
  const specifiers = (file: string, text: string): string[] => {
    let found = precomputed?.get(file)?.specifiers ?? specifiersOf.get(file)
    if (!found) {
      found = localSpecifiers(text)
      specifiersOf.set(file, found)
    }
    return found
  }

  let frontier = [...selected]
  // Each round adds at least one file, so there are at most as many rounds as files.
  for (let round = 0; frontier.length > 0 && round < texts.size; round++) {
    const stems = new Set<string>()
    const names = new Set<string>()
    const keys = new Set<string>()
    for (const file of frontier) {
      for (const stem of importStems(file)) stems.add(stem)
      const offered = namesOffered(file, texts.get(file)!, isAutoImported(file))
      for (const name of offered.names) names.add(name)
      for (const key of offered.keys) keys.add(key)
    }
    const uses = usagePattern(names, keys)
    const added: string[] = []
    for (const [file, text] of texts) {
      if (selected.has(file)) continue
      const imports = specifiers(file, text).some((specifier) => {
        if (!stems.has(specifierStem(specifier))) return false
        const target = input.resolveImportPath(file, specifier)
        return target !== undefined && selected.has(target)
      })
      if (imports || uses?.test(text)) added.push(file)
    }
    for (const file of added) selected.add(file)
    frontier = added
  }
  return selected
}
