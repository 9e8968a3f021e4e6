import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import type { TextEdit } from '../../src/changeset/types.js'

/*
 * Code that moves keeps its shape: each line after the first keeps its indentation relative to the
 * line the code started on, re-based on the indentation of the line it lands on. Lines that start
 * inside a multi-line string or template literal are text, not layout, and stay as they are.
 */

/** The indentation (spaces and tabs) of the line holding `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))![0]
}

/**
 * `text` (code that started on a line indented `from`) for a line indented `to`. `isText(index)`: the
 * line after the `index`-th line break starts inside a string, so it is left alone. A line indented
 * less than `from` (already outdented by hand) keeps its own indentation.
 */
export function reindent(text: string, from: string, to: string, isText: (index: number) => boolean = () => false): string {
  if (from === to || !text.includes('\n')) return text
  return text
    .split('\n')
    .map((line, index) => (index === 0 || isText(index - 1) || !line.startsWith(from) || line.trim() === '' ? line : to + line.slice(from.length)))
    .join('\n')
}

/**
 * The same as edits of the lines of `[start, end)` of `text` (the code stays where it is, the line it
 * starts on changes indentation): one edit per line start that changes, none inside strings.
 */
export function reindentEdits(text: string, start: number, end: number, from: string, to: string, isText: (offset: number) => boolean = () => false): TextEdit[] {
  if (from === to) return []
  const edits: TextEdit[] = []
  for (let lineStart = text.indexOf('\n', start) + 1; lineStart > 0 && lineStart < end; lineStart = text.indexOf('\n', lineStart) + 1) {
    const lineEnd = text.indexOf('\n', lineStart)
    const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd)
    if (isText(lineStart) || !line.startsWith(from) || line.trim() === '') continue
    edits.push({ start: lineStart, end: lineStart + from.length, text: to })
  }
  return edits
}

const TEXT_KINDS = new Set([
  SyntaxKind.StringLiteral,
  SyntaxKind.NoSubstitutionTemplateLiteral,
  SyntaxKind.TemplateHead,
  SyntaxKind.TemplateMiddle,
  SyntaxKind.TemplateTail,
  SyntaxKind.JsxText,
])

/** True when `offset` of the file lies inside a string or template literal (not at its start). */
export function isInString(file: SourceFile, offset: number): boolean {
  const node = file.getDescendantAtPos(offset)
  return node !== undefined && TEXT_KINDS.has(node.getKind()) && offset > node.getStart() && offset < node.getEnd()
}

/** `isText` for `reindent` of a node's own text: its line breaks, in order, checked in its file. */
export function textLinesOf(node: Node): (index: number) => boolean {
  const file = node.getSourceFile()
  const text = file.getFullText()
  const starts: number[] = []
  for (let i = text.indexOf('\n', node.getStart()); i !== -1 && i < node.getEnd(); i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (index) => starts[index] !== undefined && isInString(file, starts[index]!)
}
