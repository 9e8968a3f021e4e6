import { Node } from 'ts-morph'

/** A cut of the original text: `[start, end)` becomes `text`. */
export interface Cut {
  start: number
  end: number
  text: string
}

/**
 * Where ts-morph's `remove()` of a statement (or import) cuts, read from the untouched tree: from
 * the end of the statement before to the line of the one after, leaving one line break between them
 * (two when either has a body). Neighbours already `gone` are cut with it, as ts-morph cuts a run
 * of statements. The migrated files have always been cut this way, so they keep their layout.
 */
export function statementCut(statement: Node, gone: (sibling: Node) => boolean): Cut {
  const text = statement.getSourceFile().getFullText()
  let [first, last] = [statement, statement]
  for (let p = first.getPreviousSibling(); p && gone(p); p = p.getPreviousSibling()) first = p
  for (let n = last.getNextSibling(); n && gone(n); n = n.getNextSibling()) last = n
  const previous = first.getPreviousSibling()
  const next = last.getNextSibling()
  const start = previous ? cutStartAfter(previous, text) : cutStartOfFirst(first, text)
  if (previous && next) {
    const separator = hasBody(previous) || hasBody(next) ? '\n\n' : '\n'
    return { start, end: lineStartOrNonWhitespace(text, next.getNonWhitespaceStart()), text: separator }
  }
  return { start, end: cutEndAtEdge(first, last, previous, text), text: '' }
}

function cutStartAfter(previous: Node, text: string): number {
  const trailingEnd = previous.getTrailingTriviaEnd()
  return isNewLineAt(text, trailingEnd) ? trailingEnd : previous.getEnd()
}

function cutStartOfFirst(statement: Node, text: string): number {
  const before = previousNonWhitespace(text, statement.getPos())
  if (statement.getParentOrThrow().getPos() === before) return statement.getNonWhitespaceStart()
  return statement.isFirstNodeOnLine() ? before : statement.getNonWhitespaceStart()
}

/** The end of a cut with no statement on one side of it. */
function cutEndAtEdge(first: Node, last: Node, previous: Node | undefined, text: string): number {
  const triviaEnd = last.getTrailingTriviaEnd()
  if (last.getParentOrThrow().getEnd() === last.getEnd()) return last.getEnd()
  if (isNewLineAt(text, triviaEnd)) {
    if (!previous && first.getPos() === 0) return nextNonBlankLine(text, triviaEnd)
    return endOfPreviousLine(text, nextNonBlankLine(text, triviaEnd))
  }
  return previous ? last.getEnd() : triviaEnd
}

function hasBody(node: Node): boolean {
  if (Node.isBodyable(node) && node.hasBody()) return true
  return Node.isBodied(node) || Node.isInterfaceDeclaration(node) || Node.isClassDeclaration(node) || Node.isEnumDeclaration(node)
}

function isNewLineAt(text: string, pos: number): boolean {
  return text[pos] === '\n' || (text[pos] === '\r' && text[pos + 1] === '\n')
}

function previousNonWhitespace(text: string, pos: number): number {
  let at = pos
  while (at > 0 && /\s/.test(text[at - 1]!)) at--
  return at
}

function lineStartOrNonWhitespace(text: string, pos: number): number {
  let at = pos
  while (at > 0) {
    at--
    if (text[at] === '\n' || (text[at] !== ' ' && text[at] !== '\t')) return at + 1
  }
  return at
}

function nextNonBlankLine(text: string, pos: number): number {
  let found = pos
  for (let i = pos; i < text.length; i++) {
    if (text[i] === ' ' || text[i] === '\t') continue
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      if (text[i] === '\r') i++
      found = i + 1
      continue
    }
    return found
  }
  return found
}

function endOfPreviousLine(text: string, pos: number): number {
  let at = pos
  while (at > 0) {
    at--
    if (text[at] === '\n') return text[at - 1] === '\r' ? at - 1 : at
  }
  return at
}
