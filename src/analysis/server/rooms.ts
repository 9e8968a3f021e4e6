import { Node, SyntaxKind } from 'ts-morph'
import type { RoomRule } from '../../config/types.js'
import { unwrapExpression } from './syntax.js'
import { declarationsOf as symbolDeclarations } from '../symbols.js'

/**
 * Where one `.to(...)` / `.in(...)` argument sends an event.
 * - `helper`: a prefixed room (`` `room:${id}` ``, `'user:' + id`) mapped by a rule; `id` is the source text of the id
 * - `channel`: any other single room expression, kept as written (`` `course:${id}` ``, bare ids, computed names)
 * - `channels`: an expression yielding several rooms (`io.to(rooms)` with `rooms: string[]`), spread into a union
 * - `unknown`: an expression that may be one room or several (`io.to(getRooms())`)
 */
export type RoomTarget =
  | { kind: 'helper'; helper: RoomRule['helper']; id: string; rule: RoomRule }
  | { kind: 'channel' | 'channels' | 'unknown'; text: string }

/** Classify the argument of `.to()` / `.in()`; an array literal yields one target per element. */
export function classifyRooms(argument: Node, rules: readonly RoomRule[]): RoomTarget[] {
  const target = unwrapExpression(argument)
  if (Node.isArrayLiteralExpression(target)) return target.getElements().flatMap((element) => classifyRooms(element, rules))
  if (Node.isSpreadElement(target)) return [{ kind: 'channels', text: target.getExpression().getText() }]
  for (const rule of rules) {
    const id = idAfterPrefix(target, rule.prefix)
    if (id !== undefined) return [{ kind: 'helper', helper: rule.helper, id, rule }]
  }
  const arity = roomArity(target)
  return [{ kind: arity === 'one' ? 'channel' : arity === 'many' ? 'channels' : 'unknown', text: argument.getText() }]
}

/** Source text of what follows the prefix, or undefined when the room is not `<prefix><id>`. */
function idAfterPrefix(node: Node, prefix: string): string | undefined {
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    const value = node.getLiteralValue()
    if (!value.startsWith(prefix) || value.length === prefix.length) return undefined
    const quote = node.getText()[0] ?? "'"
    return `${quote}${node.getText().slice(1 + prefix.length)}`
  }
  if (Node.isTemplateExpression(node)) {
    const head = node.getHead().getLiteralText()
    if (!head.startsWith(prefix)) return undefined
    const spans = node.getTemplateSpans()
    const only = spans[0]
    if (head === prefix && spans.length === 1 && only && only.getLiteral().getLiteralText() === '') {
      return parenthesiseIfNeeded(only.getExpression())
    }
    // `room:${a}-${b}`: the id is the rest of the template
    return '`' + node.getText().slice(1 + prefix.length)
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = unwrapExpression(node.getLeft())
    if ((Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) && left.getLiteralValue() === prefix) {
      return parenthesiseIfNeeded(node.getRight())
    }
  }
  return undefined
}

/** Wrap ids that are not plain operands, so `emitToRoom(a ? b : c, ...)` keeps its meaning in any position. */
function parenthesiseIfNeeded(node: Node): string {
  const text = node.getText()
  return Node.isBinaryExpression(node) || Node.isConditionalExpression(node) ? `(${text})` : text
}

/** Array methods that return arrays. */
const ARRAY_RETURNING = new Set(['map', 'filter', 'concat', 'slice', 'flat', 'flatMap'])

/**
 * Whether an expression is one room name or several, from syntax alone (the analysis has no type
 * checker for the user's libraries): literals and concatenations are one, array literals and
 * variables declared as arrays are several, anything else is unknown.
 */
function roomArity(node: Node): 'one' | 'many' | 'unknown' {
  if (
    Node.isStringLiteral(node) ||
    Node.isNoSubstitutionTemplateLiteral(node) ||
    Node.isTemplateExpression(node) ||
    Node.isBinaryExpression(node) ||
    Node.isNumericLiteral(node)
  ) {
    return 'one'
  }
  if (Node.isArrayLiteralExpression(node)) return 'many'
  if (Node.isCallExpression(node)) {
    const callee = unwrapExpression(node.getExpression())
    if (Node.isIdentifier(callee) && callee.getText() === 'String') return 'one'
    if (Node.isPropertyAccessExpression(callee)) {
      if (callee.getName() === 'toString') return 'one'
      if (ARRAY_RETURNING.has(callee.getName())) return 'many'
    }
    return 'unknown'
  }
  if (!Node.isIdentifier(node)) return 'unknown'
  for (const declaration of symbolDeclarations(node)) {
    if (!Node.isVariableDeclaration(declaration) && !Node.isParameterDeclaration(declaration)) continue
    const typeNode = declaration.getTypeNode()
    if (typeNode) return isArrayType(typeNode) ? 'many' : 'one'
    const initializer = declaration.getInitializer()
    if (initializer) return roomArity(unwrapExpression(initializer))
  }
  return 'unknown'
}

function isArrayType(typeNode: Node): boolean {
  if (Node.isArrayTypeNode(typeNode) || Node.isTupleTypeNode(typeNode)) return true
  if (Node.isTypeOperatorTypeNode(typeNode)) return isArrayType(typeNode.getTypeNode())
  return Node.isTypeReference(typeNode) && /^(Readonly)?Array$/.test(typeNode.getTypeName().getText())
}
