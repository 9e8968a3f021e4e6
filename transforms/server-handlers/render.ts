import { Node } from 'ts-morph'
import { indentOf, indentUnitOf, moveCode } from '../shared/reindent.js'

/** Renders a node's replacement; `render` renders any descendant with the other replacements applied. */
export type Replacement = (render: (node: Node) => string) => string

/** Node → replacement text. A statement replaced by '' is removed with its line. */
export type Replacements = Map<Node, Replacement>

/** The node's text with every replacement inside it applied (outermost wins, replacements may render their children). */
export function renderNode(node: Node, replacements: Replacements): string {
  const replace = replacements.get(node)
  if (replace) return replace((child) => renderNode(child, replacements))
  return renderChildren(node, replacements)
}

/** The node's own text with the replacements inside it applied, ignoring a replacement of the node itself. */
export function renderChildren(node: Node, replacements: Replacements): string {
  const render = (child: Node) => renderNode(child, replacements)
  const start = node.getStart()
  const text = node.getText()
  let out = ''
  let cursor = 0
  node.forEachChild((child) => {
    const rendered = render(child)
    const childStart = child.getStart() - start
    const childEnd = child.getEnd() - start
    if (rendered === child.getText()) return
    // A removed statement takes its leading line break, indentation and comments with it.
    const cut = rendered === '' && Node.isStatement(child) ? Math.max(cursor, child.getPos() - start) : childStart
    out += text.slice(cursor, cut) + rendered
    cursor = childEnd
  })
  return out + text.slice(cursor)
}

/**
 * The statements of a block rendered, from the first statement's start to the last one's end, re-indented
 * for a first line at indentation '' in a file indented with `unit`.
 */
export function renderStatements(statements: Node[], replacements: Replacements, unit: string): string {
  const parts: string[] = []
  for (const statement of statements) {
    const text = renderNode(statement, replacements)
    if (text === '') continue
    parts.push(leadingComments(statement, text !== statement.getText()) + text)
    if (hasBlankLineAfter(statement)) parts.push('')
  }
  while (parts.at(-1) === '') parts.pop()
  const first = statements[0]
  if (!first) return ''
  const from = indentOf(first)
  // Every statement starts on a line of the block's indentation, so all of them move alike.
  const text = parts.map((part, i) => (i === 0 || part === '' ? part : from + part)).join('\n')
  return moveCode(text, { line: from, unit: indentUnitOf(first.getSourceFile()) }, { line: '', unit })
}

/** `// @ts-expect-error` and `// @ts-ignore` above code the migration rewrote spoke of the old code. */
const TS_DIRECTIVE = /^\/\/\s*@ts-(?:expect-error|ignore)\b/

function leadingComments(node: Node, rewritten: boolean): string {
  const comments = node.getLeadingCommentRanges().map((range) => range.getText()).filter((comment) => !(rewritten && TS_DIRECTIVE.test(comment)))
  return comments.length ? comments.join(`\n${indentOf(node)}`) + `\n${indentOf(node)}` : ''
}

/** True when the source has an empty line after the statement (kept between transplanted statements). */
function hasBlankLineAfter(node: Node): boolean {
  const text = node.getSourceFile().getFullText()
  const rest = text.slice(node.getEnd())
  return /^[ \t]*\r?\n[ \t]*\r?\n/.test(rest)
}

/** The code of a text without comments and string contents (template literal expressions are kept). */
export function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^[ \t]*\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
    .replace(/`(?:[^`\\$]|\\.|\$(?!\{))*(?:\$\{([^}]*)\}(?:[^`\\$]|\\.|\$(?!\{))*)*`/g, (literal) =>
      [...literal.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]).join(' '))
    .replace(/\/\/.*$/gm, '')
}

/** True when `name` is used as an identifier in the code of `text` (not just inside a string). */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(codeOnly(text))
}

/** Log labels naming the old transport (`[Socket.IO] User 1 joined`) now describe the SSE layer. */
export function relabelLogs(text: string): string {
  return text.replaceAll('[Socket.IO]', '[SSE]')
}
