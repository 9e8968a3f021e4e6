/**
 * The script text of a repo file as TypeScript sees it: a `.vue` file's `<script>` and
 * `<script setup>` blocks (its template is not checked), every other code file as it is.
 * Deliberately independent of the tool's own parsing: the corpus checks what the tool wrote.
 */
import { parse as parseSfc } from '@vue/compiler-sfc'
import ts from 'typescript'

export const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx|vue)$/

export interface ScriptView {
  /** A virtual file name whose extension tells TypeScript the language. */
  name: string
  text: string
  kind: ts.ScriptKind
  /** What the .vue parser itself rejected. */
  sfcErrors: string[]
}

const KINDS: Record<string, ts.ScriptKind> = {
  ts: ts.ScriptKind.TS, mts: ts.ScriptKind.TS, cts: ts.ScriptKind.TS, tsx: ts.ScriptKind.TSX,
  js: ts.ScriptKind.JS, mjs: ts.ScriptKind.JS, cjs: ts.ScriptKind.JS, jsx: ts.ScriptKind.JSX,
}

export function scriptView(path: string, text: string): ScriptView {
  const extension = path.slice(path.lastIndexOf('.') + 1)
  if (extension !== 'vue') return { name: path, text, kind: KINDS[extension] ?? ts.ScriptKind.TS, sfcErrors: [] }
  const { descriptor, errors } = parseSfc(text, { filename: path, sourceMap: false })
  const blocks = [descriptor.script, descriptor.scriptSetup].filter((block) => block !== null)
  const typed = blocks.some((block) => block.lang === 'ts' || block.lang === 'tsx')
  return {
    name: `${path}.${typed ? 'ts' : 'js'}`,
    text: blocks.map((block) => block.content).join('\n;\n'),
    kind: typed ? ts.ScriptKind.TS : ts.ScriptKind.JS,
    sfcErrors: errors.map((error) => ('loc' in error && error.loc ? `${error.loc.start.line}:${error.loc.start.column} ` : '') + error.message),
  }
}

/** The first thing the parser rejects, as `line:col message`, or undefined when the file parses. */
export function parseError(path: string, text: string): string | undefined {
  if (path.endsWith('.json')) {
    try {
      JSON.parse(text)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
  const view = scriptView(path, text)
  if (view.sfcErrors[0]) return view.sfcErrors[0]
  const file = ts.createSourceFile(view.name, view.text, ts.ScriptTarget.Latest, true, view.kind) as ts.SourceFile & {
    parseDiagnostics?: readonly ts.Diagnostic[]
  }
  const first = file.parseDiagnostics?.[0]
  if (!first) return undefined
  const { line, character } = file.getLineAndCharacterOfPosition(first.start ?? 0)
  return `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`
}
