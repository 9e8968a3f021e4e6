import { Node, SyntaxKind, ts, type SourceFile } from 'ts-morph'
import type { TextEdit } from '../../src/changeset/types.js'
import { detectStyle } from '../../src/style/detect.js'

/*
 * Code that moves keeps its shape: each line after the first keeps its indentation relative to the
 * line the code started on, re-based on the indentation of the line it lands on and written in the
 * indent unit of the file it lands in. Lines that start inside a multi-line string or template
 * literal are text, not layout, and stay as they are. Every transform that moves, transplants or
 * rewrites multi-line code re-indents it here.
 */

/** Where a piece of code starts: the indentation of its line, and the indent unit of its file (two spaces, four, a tab). */
export interface Indentation {
  line: string
  /** Without a unit (or the same unit on both sides) the indentation beyond `line` is kept as it is. */
  unit?: string
}

/** The indentation (spaces and tabs) of the line holding `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))![0]
}

/** The indentation of the line a node starts on. */
export function indentOf(node: Node): string {
  return lineIndentAt(node.getSourceFile().getFullText(), node.getStart())
}

/** The indent unit a file is written with. */
export function indentUnitOf(file: SourceFile): string {
  return detectStyle(file.getFullText()).indent
}

/**
 * Code (its first line already where it lands) moved from a line indented `from` to one indented
 * `to`: each further line's depth beyond `from.line`, counted in `from.unit`, is written in `to.unit`
 * after `to.line`. `isText(index)`: the line after the `index`-th line break starts inside a string
 * (by default found in `text` itself), so it is left alone. A line indented less than `from.line`
 * (already outdented by hand) keeps its own indentation.
 */
export function moveCode(text: string, from: Indentation, to: Indentation, isText: (index: number) => boolean = textLinesIn(text)): string {
  const convert = from.unit !== undefined && to.unit !== undefined && from.unit !== to.unit
  if ((from.line === to.line && !convert) || !text.includes('\n')) return text
  return text
    .split('\n')
    .map((line, index) => {
      if (index === 0 || isText(index - 1) || !line.startsWith(from.line) || line.trim() === '') return line
      const rest = line.slice(from.line.length)
      const depth = /^[ \t]*/.exec(rest)![0]
      return to.line + (convert ? inUnit(depth, from.unit!, to.unit!) : depth) + rest.slice(depth.length)
    })
    .join('\n')
}

/** Every code line of `text` indented by `indent` (blank lines emptied), lines inside strings left alone. */
export function indentBlock(text: string, indent: string, isText: (index: number) => boolean = textLinesIn(text)): string {
  return text
    .split('\n')
    .map((line, index) => (line.trim() === '' ? '' : index > 0 && isText(index - 1) ? line : indent + line))
    .join('\n')
}

/** Leading whitespace written in another unit: whole units are converted, the spaces left over (a comment's ` * `) kept. */
function inUnit(depth: string, from: string, to: string): string {
  if (from === '\t') {
    const tabs = /^\t*/.exec(depth)![0].length
    return to.repeat(tabs) + depth.slice(tabs)
  }
  if (depth.includes('\t')) return depth
  return to.repeat(Math.floor(depth.length / from.length)) + ' '.repeat(depth.length % from.length)
}

/**
 * `isText` for code assembled from pieces (rendered replacements, a fragment that is no whole file):
 * its string and template literal tokens are found by scanning the text itself.
 */
export function textLinesIn(code: string): (index: number) => boolean {
  const literals = literalRanges(code)
  const starts: number[] = []
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) starts.push(i + 1)
  return (index) => {
    const offset = starts[index]
    return offset !== undefined && literals.some(([start, end]) => offset > start && offset < end)
  }
}

/** The ranges of the string and template literal parts in `code`, by the TypeScript scanner. */
function literalRanges(code: string): [number, number][] {
  const ranges: [number, number][] = []
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code)
  /** Brace depths at which a template's `${` expression closes. */
  const templates: number[] = []
  let depth = 0
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.OpenBraceToken) depth++
    else if (token === ts.SyntaxKind.CloseBraceToken && templates.at(-1) === depth) {
      templates.pop()
      token = scanner.reScanTemplateToken(false)
      if (token === ts.SyntaxKind.TemplateMiddle) templates.push(depth)
      ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()])
    } else if (token === ts.SyntaxKind.CloseBraceToken) depth--
    else if (token === ts.SyntaxKind.TemplateHead) {
      templates.push(depth)
      ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()])
    } else if (token === ts.SyntaxKind.StringLiteral || token === ts.SyntaxKind.NoSubstitutionTemplateLiteral) {
      ranges.push([scanner.getTokenStart(), scanner.getTokenEnd()])
    }
  }
  return ranges
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
