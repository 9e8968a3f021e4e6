import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import { isUseNitroAppCall, parentThroughWrappers } from './syntax.js'
import type { ServerModel } from './types.js'
import { referencesInFile } from '../../ast/scope.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { replaceFileText } from '../../ast/edit.js'
import { escapeRegExp } from '../../text/regexp.js'

/** Rounds of clean-up: a removed guard can leave an alias dead, which is removed the next round. */
const MAX_ROUNDS = 10

/**
 * After the emits of a file were rewritten, remove the io plumbing that became dead:
 * `if (!io) throw ...` guards, `if (io) { ... }` wrappers, `const io = useNitroApp().io` aliases,
 * and `const nitroApp = useNitroApp()` left without readers.
 * Does nothing when the file still uses io for something else (that use is reported, and its guard
 * must keep protecting it). Returns true when something was removed.
 */
export function removeDeadIoCode(file: SourceFile, model: ServerModel, indent: string): boolean {
  const live = model.accesses.filter((access) => !access.node.wasForgotten() && access.node.getSourceFile() === file)
  if (live.some((access) => !isGuard(access.node) && !isAliasInitializer(access.node))) {
    return false
  }
  // Decide everything on the unedited tree first, then apply all edits as one text change.
  const removals = new Set<Node>()
  const unwraps = new Map<Node, string>()
  const gone = (node: Node): boolean =>
    [...removals].some((statement) => contains(statement, node)) ||
    [...unwraps.keys()].some((edited) => (Node.isIfStatement(edited) ? contains(edited.getExpression(), node) : contains(edited, node)))
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = removals.size + unwraps.size
    for (const access of live) {
      const guard = guardOf(access.node)
      if (guard) {
        planGuard(guard, indent, removals, unwraps)
        continue
      }
      const alias = aliasOf(access.node)
      const statement = alias && Node.isVariableDeclaration(alias) ? alias.getVariableStatement() : undefined
      if (statement && statement.getDeclarations().length === 1 && referencesOf(alias!).every(gone)) removals.add(statement)
    }
    // `const nitroApp = useNitroApp()` kept only to reach `nitroApp.io`
    for (const declaration of descendantsOfKind(file, SyntaxKind.VariableDeclaration)) {
      const initializer = declaration.getInitializer()
      const statement = declaration.getVariableStatement()
      if (!initializer || !isUseNitroAppCall(initializer) || !statement || statement.getDeclarations().length !== 1) continue
      if (Node.isIdentifier(declaration.getNameNode()) && referencesOf(declaration).every(gone)) removals.add(statement)
    }
    if (removals.size + unwraps.size === before) break
  }
  if (removals.size + unwraps.size === 0) return false
  applyEdits(file, removals, unwraps)
  return true
}

/** `if (!io) throw ...` is removed; `if (io) { body }` becomes `body` (only when the body does not leave the function). */
function planGuard(guard: Guard, indent: string, removals: Set<Node>, unwraps: Map<Node, string>): void {
  const statement = guard.statement
  if (!Node.isIfStatement(statement)) return
  if (guard.alongside) {
    // `if (io && chat)` → `if (chat)`: the other test still decides.
    unwraps.set(guard.alongside.condition, guard.alongside.rest.getText())
    return
  }
  const then = statement.getThenStatement()
  if (guard.negated) {
    if (exits(then)) removals.add(statement)
    return
  }
  if (exits(then)) return
  if (!Node.isBlock(then)) {
    unwraps.set(statement, then.getText())
    return
  }
  const inner = then.getStatements()
  if (inner.length === 0) {
    removals.add(statement)
    return
  }
  const text = then.getSourceFile().getFullText().slice(inner[0]!.getStart(true), inner[inner.length - 1]!.getEnd())
  unwraps.set(statement, dedent(text, indent))
}

function contains(outer: Node, inner: Node): boolean {
  return inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd()
}

interface TextEdit {
  start: number
  end: number
  text: string
}

/**
 * Remove statements with their leading blank lines and comments; the statement after them gets
 * their spacing (`a\n\n  const io = ...\n  b` becomes `a\n\n  b`). Unwrapped guards become their body.
 * Adjacent removed statements are removed as one block.
 */
function applyEdits(file: SourceFile, removals: Set<Node>, unwraps: Map<Node, string>): void {
  const text = file.getFullText()
  const edits: TextEdit[] = []
  const sorted = [...removals].sort((a, b) => a.getStart() - b.getStart())
  const groups: Node[][] = []
  for (const statement of sorted) {
    const group = groups.at(-1)
    const last = group?.at(-1)
    if (group && last && last.getNextSibling() === statement) group.push(statement)
    else groups.push([statement])
  }
  for (const group of groups) {
    const first = group[0]!
    const last = group[group.length - 1]!
    const next = last.getNextSibling()
    const leading = text.slice(first.getFullStart(), first.getStart())
    const nextLeading = next ? text.slice(next.getFullStart(), next.getStart()) : ''
    if (next && nextLeading.trim() === '') {
      // The next statement takes the place of the removed ones, with their spacing (blank line or not).
      const indent = nextLeading.slice(nextLeading.lastIndexOf('\n') + 1)
      edits.push({ start: first.getFullStart(), end: next.getStart(), text: `${BLANK_LINE.test(leading) ? '\n\n' : '\n'}${indent}` })
    } else {
      const keepBreak = next !== undefined && BLANK_LINE.test(leading) && !BLANK_LINE.test(nextLeading)
      edits.push({ start: first.getFullStart(), end: last.getEnd(), text: keepBreak ? '\n' : '' })
    }
  }
  for (const [statement, body] of unwraps) edits.push({ start: statement.getStart(), end: statement.getEnd(), text: body })
  edits.sort((a, b) => b.start - a.start)
  let result = text
  let floor = Number.POSITIVE_INFINITY
  for (const edit of edits) {
    // Overlapping edits (a guard inside an unwrapped block): the inner one is applied, the outer one is left as is.
    if (edit.end > floor) continue
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end)
    floor = edit.start
  }
  replaceFileText(file, result)
}

const BLANK_LINE = /\n[ \t]*\n/

interface Guard {
  statement: Node
  negated: boolean
  /** `if (io && chat)`: the whole condition and the test beside io. */
  alongside?: { condition: Node; rest: Node }
}

/** `if (io)` / `if (!io)` where the whole condition is the io expression, or `if (io && x)` / `if (x && io)`. */
function guardOf(node: Node): Guard | undefined {
  let { parent, child } = parentThroughWrappers(node)
  let negated = false
  if (parent && Node.isPrefixUnaryExpression(parent) && parent.getOperatorToken() === SyntaxKind.ExclamationToken) {
    negated = true
    ;({ parent, child } = parentThroughWrappers(parent))
  }
  if (!negated && parent && Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.AmpersandAmpersandToken) {
    const rest = parent.getLeft() === child ? parent.getRight() : parent.getLeft()
    const test = parentThroughWrappers(parent)
    if (!test.parent || !Node.isIfStatement(test.parent) || test.parent.getExpression() !== test.child || test.parent.getElseStatement()) return undefined
    return { statement: test.parent, negated, alongside: { condition: parent, rest } }
  }
  if (!parent || !Node.isIfStatement(parent) || parent.getExpression() !== child || parent.getElseStatement()) return undefined
  return { statement: parent, negated }
}

/** `io` as the whole condition of an `if` (`if (!io) throw ...`). */
export function isGuard(node: Node): boolean {
  return guardOf(node) !== undefined
}

/** A statement that throws or returns at its end (the usual `if (!io) { log; return }` guard body). */
function exits(statement: Node): boolean {
  if (Node.isThrowStatement(statement) || Node.isReturnStatement(statement)) return true
  if (!Node.isBlock(statement)) return false
  const last = statement.getStatements().at(-1)
  return last !== undefined && (Node.isThrowStatement(last) || Node.isReturnStatement(last))
}

/** Remove one indentation level from every line after the first. */
function dedent(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line, index) => (index > 0 && line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n')
}

/** The variable declared by `const io = <node>` (a plain identifier binding). */
function aliasOf(node: Node): Node | undefined {
  const { parent, child } = parentThroughWrappers(node)
  if (!parent || !Node.isVariableDeclaration(parent) || parent.getInitializer() !== child) return undefined
  return Node.isIdentifier(parent.getNameNode()) ? parent : undefined
}

function isAliasInitializer(node: Node): boolean {
  return aliasOf(node) !== undefined
}

/** Identifiers in the declaration's file that refer to it (excluding its own name). */
export function referencesOf(declaration: Node): Node[] {
  if (!Node.isVariableDeclaration(declaration) && !Node.isImportSpecifier(declaration) && !Node.isImportClause(declaration)) return []
  // `import { Server as SocketIOServer }` binds the alias; `Server` names the export, never used here.
  const nameNode = Node.isImportClause(declaration)
    ? declaration.getDefaultImport()
    : Node.isImportSpecifier(declaration) ? (declaration.getAliasNode() ?? declaration.getNameNode()) : declaration.getNameNode()
  if (!nameNode) return []
  const name = nameNode.getText()
  const file = nameNode.getSourceFile()
  // A name written once is the declaration alone: no walk needed.
  if (occurrences(file.getFullText(), name) <= 1) return []
  return Node.isIdentifier(nameNode) ? referencesInFile(nameNode) : []
}

function occurrences(text: string, name: string): number {
  return text.match(new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`, 'g'))?.length ?? 0
}
