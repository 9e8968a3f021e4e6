/**
 * The script text of a repo file as TypeScript sees it: a `.vue` file's `<script>` and
 * `<script setup>` blocks (its template is not checked), every other code file as it is. The names
 * check built on it is deliberately not the verify stage's: it type-checks with the DOM and ES libs,
 * a second opinion on what the tool wrote.
 */
import { parse as parseSfc } from '@vue/compiler-sfc'
import ts from 'typescript'
import { lineAndColumn, scriptKindOf } from '../../src/verify/script-views.js'
import { parseErrors } from '../../src/verify/syntax.js'

export const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx|vue)$/

export interface ScriptView {
  /** A virtual file name whose extension tells TypeScript the language. */
  name: string
  text: string
  kind: ts.ScriptKind
}

export function scriptView(path: string, text: string): ScriptView {
  if (!path.endsWith('.vue')) return { name: path, text, kind: scriptKindOf(path) ?? ts.ScriptKind.TS }
  const { descriptor } = parseSfc(text, { filename: path, sourceMap: false })
  const blocks = [descriptor.script, descriptor.scriptSetup].filter((block) => block !== null)
  const typed = blocks.some((block) => block.lang === 'ts' || block.lang === 'tsx')
  return {
    name: `${path}.${typed ? 'ts' : 'js'}`,
    text: blocks.map((block) => block.content).join('\n;\n'),
    kind: typed ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  }
}

/**
 * The first thing the parser rejects, as `line:col message`, or undefined when the file parses: the
 * tool's own parse check, so the runner and the verify stage read a file the same way.
 */
export function parseError(path: string, text: string): string | undefined {
  const [first] = parseErrors(path, text)
  if (!first) return undefined
  const { line, column } = lineAndColumn(text, first.offset)
  return `${line}:${column} ${first.message}`
}
