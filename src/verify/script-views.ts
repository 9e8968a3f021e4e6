import { ts } from 'ts-morph'
import { findSfcScripts } from '../project/vue.js'

/** One script of a file as TypeScript parses it, with where it starts in the file. */
export interface ScriptView {
  source: ts.SourceFile
  /** Offset of the script's first character in the file (a `.vue` block starts after its tag). */
  start: number
}

const KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS, '.mts': ts.ScriptKind.TS, '.cts': ts.ScriptKind.TS, '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS, '.mjs': ts.ScriptKind.JS, '.cjs': ts.ScriptKind.JS, '.jsx': ts.ScriptKind.JSX,
}

export function isScriptPath(path: string): boolean {
  return path.endsWith('.vue') || extensionOf(path) in KINDS
}

/** How TypeScript parses a code file by its extension; undefined for other kinds (`.vue` included). */
export function scriptKindOf(path: string): ts.ScriptKind | undefined {
  return KINDS[extensionOf(path)]
}

function extensionOf(path: string): string {
  return /\.[^./]+$/.exec(path)?.[0] ?? ''
}

/** The code of a file: itself, or a `.vue` file's `<script>` blocks; none for other kinds. */
export function scriptViews(path: string, text: string): ScriptView[] {
  if (path.endsWith('.vue')) {
    return findSfcScripts(text, path).scripts.map((script, index) => ({
      source: ts.createSourceFile(`${path}.${index}.${script.lang}`, script.content, ts.ScriptTarget.Latest, true, script.lang === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS),
      start: script.start,
    }))
  }
  const kind = scriptKindOf(path)
  return kind === undefined ? [] : [{ source: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind), start: 0 }]
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') }
}
