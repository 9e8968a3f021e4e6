import { Node, SyntaxKind } from 'ts-morph'
import { parentThroughWrappers } from './syntax.js'
import { referencesInFile } from '../../ast/scope.js'
import { escapeRegExp } from '../../text/regexp.js'

/*
 * How the io plumbing of a file looks: guards (`if (!io) throw`, `if (io) { ... }`) and aliases
 * (`const io = useNitroApp().io`). The transforms decide from this what becomes dead.
 */

export interface Guard {
  statement: Node
  negated: boolean
  /** `if (io && chat)`: the whole condition and the test beside io. */
  alongside?: { condition: Node; rest: Node }
}

/** `if (io)` / `if (!io)` where the whole condition is the io expression, or `if (io && x)` / `if (x && io)`. */
export function guardOf(node: Node): Guard | undefined {
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
export function exits(statement: Node): boolean {
  if (Node.isThrowStatement(statement) || Node.isReturnStatement(statement)) return true
  if (!Node.isBlock(statement)) return false
  const last = statement.getStatements().at(-1)
  return last !== undefined && (Node.isThrowStatement(last) || Node.isReturnStatement(last))
}

/** The variable declared by `const io = <node>` (a plain identifier binding). */
export function aliasOf(node: Node): Node | undefined {
  const { parent, child } = parentThroughWrappers(node)
  if (!parent || !Node.isVariableDeclaration(parent) || parent.getInitializer() !== child) return undefined
  return Node.isIdentifier(parent.getNameNode()) ? parent : undefined
}

export function isAliasInitializer(node: Node): boolean {
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
